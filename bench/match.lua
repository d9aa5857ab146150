-- match.lua - wrk script: POST /v1/match, cycling through the needs in the
-- file named by $WRK_NEEDS (one JSON need per line, made by bench/prep.py
-- needs) with the API key in $WRK_KEY.
dofile("bench/wrk_report.lua")

local bodies = {}
for line in io.lines(os.getenv("WRK_NEEDS")) do
   if #line > 0 then bodies[#bodies + 1] = line end
end
local headers = {
   ["Content-Type"] = "application/json",
   ["Authorization"] = "Bearer " .. os.getenv("WRK_KEY"),
}
local i = 0

function request()
   i = i % #bodies + 1
   return wrk.format("POST", "/v1/match", headers, bodies[i])
end
