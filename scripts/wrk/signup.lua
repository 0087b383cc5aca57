-- SignUp with a fresh username on every request: PREFIX-THREAD-COUNTER, PREFIX random per run, so
-- no request can hit UsernameExistsException and every one does the full work (a user, a code message).
--   wrk … -s scripts/wrk/signup.lua URL -- CLIENT_ID PREFIX PASSWORD
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local client_id, prefix, password = "verify", "verify", "verify"  -- wrk verifies one request early
local counter = 0

function init(args)
   client_id, prefix, password = args[1], args[2], args[3]
   expect = "UserSub"
end

function request()
   counter = counter + 1
   local name = string.format("%s-%d-%d", prefix, tid, counter)
   return cognito_request("SignUp", string.format(
      '{"ClientId":"%s","Username":"%s","Password":"%s","UserAttributes":[{"Name":"email","Value":"%s@example.com"}]}',
      client_id, name, password, name))
end
