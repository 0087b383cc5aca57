-- Shared by the scripts/bench wrk scripts (loaded with dofile by each of them).
--
-- Every thread counts its answers (2xx or not) and checks the body of its first CHECK_FIRST 2xx
-- answers for an expected substring, because a 200 alone does not prove the operation did its work.
-- done() then prints one line, "BENCH_JSON {...}", which scripts/bench.py parses: wrk's own summary
-- is for humans, and its non-2xx line only appears when there are some.

local CHECK_FIRST = 3

-- Globals of each thread's Lua state; done() reads them through thread:get.
tid = 0            -- 1, 2, … per wrk thread (set in setup); 0 in the main state
expect = nil       -- substring a good body contains; set by the script's init()
ok2xx, non2xx, checked, bad = 0, 0, 0, 0
sample = nil       -- the first unexpected answer, for the report

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok2xx = ok2xx + 1
      if checked < CHECK_FIRST then
         checked = checked + 1
         if expect and not body:find(expect, 1, true) then
            bad = bad + 1
            sample = sample or (status .. " " .. body:sub(1, 300))
         end
      end
   else
      non2xx = non2xx + 1
      sample = sample or (status .. " " .. body:sub(1, 300))
   end
end

-- A request for POST / in the awsJson1_1 protocol. Host is always explicit: wrk.format would put
-- wrk.host without the port, and a SigV4 signature covers the exact Host value.
host_header = nil
function cognito_request(target, body, extra)
   host_header = host_header or (wrk.host .. ":" .. wrk.port)
   local headers = {
      ["Host"] = host_header,
      ["Content-Type"] = "application/x-amz-json-1.1",
      ["X-Amz-Target"] = "AWSCognitoIdentityProviderService." .. target,
   }
   for name, value in pairs(extra or {}) do headers[name] = value end
   return wrk.format("POST", "/", headers, body)
end

local function json(value)
   local kind = type(value)
   if kind == "number" then
      return value ~= value and "null" or string.format("%.17g", value)
   elseif kind == "string" then
      return '"' .. value:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
   elseif kind == "table" then
      local parts = {}
      if #value > 0 then
         for _, item in ipairs(value) do parts[#parts + 1] = json(item) end
         return "[" .. table.concat(parts, ",") .. "]"
      end
      for key, item in pairs(value) do parts[#parts + 1] = json(tostring(key)) .. ":" .. json(item) end
      return "{" .. table.concat(parts, ",") .. "}"
   end
   return "null"
end

function done(summary, latency, requests)
   local result = {
      requests = summary.requests, duration_us = summary.duration, bytes = summary.bytes,
      errors = summary.errors,
      latency_us = {
         mean = latency.mean, max = latency.max,
         p50 = latency:percentile(50), p90 = latency:percentile(90), p99 = latency:percentile(99),
      },
      ok2xx = 0, non2xx = 0, checked = 0, bad = 0, samples = {},
   }
   for _, thread in ipairs(threads) do
      for _, name in ipairs({ "ok2xx", "non2xx", "checked", "bad" }) do
         result[name] = result[name] + (thread:get(name) or 0)
      end
      local s = thread:get("sample")
      if s then table.insert(result.samples, s) end
   end
   if #result.samples == 0 then result.samples = nil end
   io.write("BENCH_JSON ", json(result), "\n")
end
