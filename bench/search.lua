-- search.lua - wrk script: GET /v1/search, cycling through the paths in the
-- file named by $WRK_PATHS (one "/v1/search?q=...&limit=10" per line, made by
-- bench/prep.py paths).  Each wrk thread starts at a different offset.
dofile("bench/wrk_report.lua")

local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
   if #line > 0 then paths[#paths + 1] = line end
end
i = 0

function setup(thread)
   thread:set("i", math.random(0, #paths - 1))
end

function request()
   i = i % #paths + 1
   return wrk.format("GET", paths[i])
end
