-- Cycles through requests prepared by scripts/bench.py (InitiateAuth for pre-created users, GetUser
-- with pre-obtained tokens, AdminGetUser pre-signed with SigV4). One request a line:
--   TARGET <TAB> BODY [<TAB> Header: value]…
-- The Host header sent is 127.0.0.1:PORT from the URL, as signed.
--   wrk … -s scripts/wrk/replay.lua URL -- FILE EXPECTED_SUBSTRING
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local requests = {}
local index = 0

function init(args)
   expect = args[2]
   for line in io.lines(args[1]) do
      local fields = {}
      for field in line:gmatch("[^\t]+") do fields[#fields + 1] = field end
      local extra = {}
      for i = 3, #fields do
         local name, value = fields[i]:match("^([^:]+): (.*)$")
         extra[name] = value
      end
      requests[#requests + 1] = cognito_request(fields[1], fields[2], extra)
   end
   assert(#requests > 0, "no requests in " .. args[1])
   -- Threads start half the list apart, so two threads rarely send the same user at once.
   index = ((tid - 1) * math.floor(#requests / 2)) % #requests
end

function request()
   index = index % #requests + 1
   return requests[index]
end
