-- SRP sign-in (USER_SRP_AUTH, then PASSWORD_VERIFIER) as a real client does it, two requests per
-- sign-in. The client's maths runs in OpenSSL's libcrypto through LuaJIT's FFI (3072-bit numbers are
-- out of plain Lua's reach): per sign-in one modular exponentiation with an exponent of about 512 bits
-- (a is 256 bits per thread; v = g^x is computed once per user), two HMACs for the key and one for the
-- signature. Each thread keeps a queue of challenges to answer: a connection that is free answers one
-- if there is one, else starts a new sign-in, so no connection waits for "its" challenge.
--   wrk … -s scripts/wrk/srp.lua URL -- USERS_FILE CLIENT_ID POOL_ID PASSWORD
-- USERS_FILE: one username a line. done() reports requests; sign-ins are the PASSWORD_VERIFIER answers.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local ffi = require("ffi")
ffi.cdef [[
typedef struct bignum_st BIGNUM;
typedef struct bignum_ctx BN_CTX;
typedef struct evp_md_st EVP_MD;
BIGNUM *BN_new(void);
void BN_free(BIGNUM *a);
BN_CTX *BN_CTX_new(void);
int BN_hex2bn(BIGNUM **a, const char *str);
char *BN_bn2hex(const BIGNUM *a);
BIGNUM *BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret);
int BN_bn2bin(const BIGNUM *a, unsigned char *to);
int BN_num_bits(const BIGNUM *a);
int BN_rand(BIGNUM *rnd, int bits, int top, int bottom);
int BN_mod_exp(BIGNUM *r, const BIGNUM *a, const BIGNUM *p, const BIGNUM *m, BN_CTX *ctx);
int BN_mod_mul(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, const BIGNUM *m, BN_CTX *ctx);
int BN_mod_sub(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, const BIGNUM *m, BN_CTX *ctx);
int BN_mul(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, BN_CTX *ctx);
int BN_add(BIGNUM *r, const BIGNUM *a, const BIGNUM *b);
void CRYPTO_free(void *ptr, const char *file, int line);
unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *d, size_t n,
                    unsigned char *md, unsigned int *md_len);
int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
int EVP_DecodeBlock(unsigned char *t, const unsigned char *f, int n);
]]
local crypto = ffi.load("libcrypto.so.3")

local N_HEX = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
   .. "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
   .. "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
   .. "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
   .. "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
   .. "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
   .. "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
   .. "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

local ctx = crypto.BN_CTX_new()

local function bn_hex(hex)
   local box = ffi.new("BIGNUM*[1]", crypto.BN_new())
   assert(crypto.BN_hex2bn(box, hex) > 0, "bad hex")
   return box[0]
end

local function bn_bytes(bytes)
   return crypto.BN_bin2bn(bytes, #bytes, crypto.BN_new())
end

-- Cognito's padHex as bytes: minimal big-endian, a leading 00 when the top bit is set.
local function pad_bytes(n)
   local count = math.floor((crypto.BN_num_bits(n) + 7) / 8)
   if count == 0 then return "\0" end
   local buffer = ffi.new("unsigned char[?]", count)
   crypto.BN_bn2bin(n, buffer)
   local bytes = ffi.string(buffer, count)
   if bytes:byte(1) >= 0x80 then bytes = "\0" .. bytes end
   return bytes
end

local function lower_hex(n)
   local text = crypto.BN_bn2hex(n)
   local hex = ffi.string(text):lower()
   crypto.CRYPTO_free(text, "srp.lua", 0)
   return hex
end

local function sha256(data)
   local out = ffi.new("unsigned char[32]")
   crypto.SHA256(data, #data, out)
   return ffi.string(out, 32)
end

local function hmac(key, data)
   local out = ffi.new("unsigned char[32]")
   local length = ffi.new("unsigned int[1]")
   crypto.HMAC(crypto.EVP_sha256(), key, #key, data, #data, out, length)
   return ffi.string(out, length[0])
end

local function base64(data)
   local out = ffi.new("unsigned char[?]", math.floor((#data + 2) / 3) * 4 + 1)
   local length = crypto.EVP_EncodeBlock(out, data, #data)
   return ffi.string(out, length)
end

local function unbase64(text)
   if #text % 4 ~= 0 or text:find("[^%w%+/=]") then return "" end  -- moto's block is a UUID
   local out = ffi.new("unsigned char[?]", #text)
   local length = crypto.EVP_DecodeBlock(out, text, #text)
   if length < 0 then return "" end
   local padding = #(text:match("=*$"))
   return ffi.string(out, length - padding)
end

local weekdays = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" }
local months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }
local function timestamp()
   local t = os.date("!*t")
   return string.format("%s %s %d %02d:%02d:%02d UTC %d", weekdays[t.wday], months[t.month], t.day, t.hour, t.min, t.sec, t.year)
end

local N, g, k
local small_a, large_a_hex, large_a
local users, client_id, pool_name, password = {}, nil, nil, nil
local verifiers = {}   -- username -> { x, k·v } once its salt is known
local answers = {}     -- challenges waiting for an answer (bodies)
local next_user = 0

function init(args)
   expect = "AccessToken"
   for line in io.lines(args[1]) do users[#users + 1] = line end
   assert(#users > 0, "no users in " .. args[1])
   client_id, pool_name, password = args[2], args[3]:match("_(.*)$"), args[4]
   N = bn_hex(N_HEX)
   g = bn_hex("2")
   k = bn_bytes(sha256(pad_bytes(N) .. pad_bytes(g)))
   small_a = crypto.BN_new()
   crypto.BN_rand(small_a, 256, -1, 0)
   large_a = crypto.BN_new()
   crypto.BN_mod_exp(large_a, g, small_a, N, ctx)
   large_a_hex = lower_hex(large_a)
   next_user = ((tid - 1) * math.floor(#users / 2)) % #users
end

local function initiate()
   next_user = next_user % #users + 1
   local body = string.format('{"AuthFlow":"USER_SRP_AUTH","ClientId":"%s","AuthParameters":{"USERNAME":"%s","SRP_A":"%s"}}',
      client_id, users[next_user], large_a_hex)
   return cognito_request("InitiateAuth", body)
end

-- The PASSWORD_VERIFIER answer to one challenge body.
local function answer(challenge)
   local function param(name) return ((challenge:match('"' .. name .. '"%s*:%s*"([^"]*)"') or ""):gsub("\\/", "/")) end
   local user_id, salt_hex, b_hex, block = param("USER_ID_FOR_SRP"), param("SALT"), param("SRP_B"), param("SECRET_BLOCK")
   local username = param("USERNAME")
   local cached = verifiers[user_id .. "|" .. salt_hex]
   if not cached then
      local x = bn_bytes(sha256(pad_bytes(bn_hex(salt_hex)) .. sha256(pool_name .. user_id .. ":" .. password)))
      local v = crypto.BN_new()
      crypto.BN_mod_exp(v, g, x, N, ctx)
      local kv = crypto.BN_new()
      crypto.BN_mod_mul(kv, k, v, N, ctx)
      cached = { x = x, kv = kv }
      verifiers[user_id .. "|" .. salt_hex] = cached
   end
   local b = bn_hex(b_hex)
   local u = bn_bytes(sha256(pad_bytes(large_a) .. pad_bytes(b)))
   local base, exponent, ux, s = crypto.BN_new(), crypto.BN_new(), crypto.BN_new(), crypto.BN_new()
   crypto.BN_mod_sub(base, b, cached.kv, N, ctx)
   crypto.BN_mul(ux, u, cached.x, ctx)
   crypto.BN_add(exponent, small_a, ux)
   crypto.BN_mod_exp(s, base, exponent, N, ctx)
   local key = hmac(hmac(pad_bytes(u), pad_bytes(s)), "Caldera Derived Key\1"):sub(1, 16)
   for _, n in ipairs({ b, u, base, exponent, ux, s }) do crypto.BN_free(n) end
   local stamp = timestamp()
   local signature = base64(hmac(key, pool_name .. user_id .. unbase64(block) .. stamp))
   local body = string.format(
      '{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"%s","ChallengeResponses":{"USERNAME":"%s","PASSWORD_CLAIM_SECRET_BLOCK":"%s","PASSWORD_CLAIM_SIGNATURE":"%s","TIMESTAMP":"%s"}}',
      client_id, username, block, signature, stamp)
   return cognito_request("RespondToAuthChallenge", body)
end

function request()
   local pending = table.remove(answers)
   if pending then return answer(pending) end
   return initiate()
end

local count_response = response
function response(status, headers, body)
   if status == 200 and body:find('"PASSWORD_VERIFIER"', 1, true) then
      answers[#answers + 1] = body
      return
   end
   count_response(status, headers, body)
end
