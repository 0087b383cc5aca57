-- Cycles through pre-signed HTTP requests prepared by scripts/bench.py (GETs through `postern gateway`,
-- SigV4-signed for execute-api with each guest identity's temporary credentials). One request a line:
--   METHOD <TAB> PATH [<TAB> Header: value]…
-- The Host header sent is 127.0.0.1:PORT from the URL, as signed.
--   wrk … -s scripts/wrk/signed.lua URL -- FILE EXPECTED_SUBSTRING
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local requests = {}
local index = 0

function init(args)
   expect = args[2]
   local host = wrk.host .. ":" .. wrk.port
   for line in io.lines(args[1]) do
      local fields = {}
      for field in line:gmatch("[^\t]+") do fields[#fields + 1] = field end
      local headers = { ["Host"] = host }
      for i = 3, #fields do
         local name, value = fields[i]:match("^([^:]+): (.*)$")
         headers[name] = value
      end
      requests[#requests + 1] = wrk.format(fields[1], fields[2], headers)
   end
   assert(#requests > 0, "no requests in " .. args[1])
   index = ((tid - 1) * math.floor(#requests / 2)) % #requests
end

function request()
   index = index % #requests + 1
   return requests[index]
end
