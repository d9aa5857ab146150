-- soak.lua - wrk script for bench/soak.sh: a fixed mix of reads and writes.
--
-- $SOAK_REQS names the file bench/soak_prep.py wrote (TYPE, METHOD, PATH,
-- KEY, BODY per line, tab-separated).  Every request there is valid; any
-- answer outside 2xx is counted as an error of the soak.
--
-- The mix, in requests out of 1,000: 700 reads, 300 writes.  Most writes
-- edit a fixed pool of records (PATCH, as their owners); creates are few so
-- the database stays about the size it started at (it grows by ~2.4 KB a
-- create), which keeps SQLite's page cache from growing with the data and
-- passing for a leak.
local MIX = {
   search = 400, match = 100, need_matches = 80, get_resource = 40, get_need = 40,
   stats = 20, list_needs = 10, list_resources = 10,                  -- reads: 700
   patch_resource = 160, patch_need = 136, create_resource = 2, create_need = 2, -- writes: 300
}
local ORDER = {"search", "match", "need_matches", "get_resource", "get_need", "stats",
               "list_needs", "list_resources", "patch_resource", "patch_need",
               "create_resource", "create_need"}

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   reqs = {}   -- type -> list of ready-made requests
   for _, t in ipairs(ORDER) do reqs[t] = {} end
   for line in io.lines(os.getenv("SOAK_REQS")) do
      local t, m, p, k, b = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if t and reqs[t] then
         local h = {}
         if k ~= "-" then h["Authorization"] = "Bearer " .. k end
         if b ~= "" then h["Content-Type"] = "application/json" else b = nil end
         table.insert(reqs[t], wrk.format(m, p, h, b))
      end
   end
   -- 1,000 slots in the MIX's proportions, shuffled per thread.
   math.randomseed(id * 7919)
   slots = {}
   for _, t in ipairs(ORDER) do
      assert(#reqs[t] > 0, "soak.lua: no requests of type " .. t)
      for _ = 1, MIX[t] do table.insert(slots, t) end
   end
   for i = #slots, 2, -1 do
      local j = math.random(i)
      slots[i], slots[j] = slots[j], slots[i]
   end
   pos = {}
   for _, t in ipairs(ORDER) do pos[t] = math.random(#reqs[t]) - 1 end
   slot = 0
   -- what was sent, per type (answers are not told apart by type here:
   -- several connections share a thread; the server's /metrics counts
   -- answers per route and status, and bench/soak.sh reads those)
   sent = {}
   for _, t in ipairs(ORDER) do sent[t] = 0 end
   bad_samples = ""
   nbad = 0
end

function request()
   slot = slot % #slots + 1
   local t = slots[slot]
   pos[t] = pos[t] % #reqs[t] + 1
   sent[t] = sent[t] + 1
   return reqs[t][pos[t]]
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      nbad = nbad + 1
      if nbad <= 5 then
         bad_samples = bad_samples .. status .. " " .. string.sub(body or "", 1, 200) .. "\n"
      end
   end
end

function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   local tot, nb, samples = {}, 0, ""
   for _, t in ipairs(ORDER) do tot[t] = 0 end
   for _, th in ipairs(threads) do
      local s = th:get("sent")
      for _, t in ipairs(ORDER) do tot[t] = tot[t] + (s[t] or 0) end
      nb = nb + (th:get("nbad") or 0)
      samples = samples .. (th:get("bad_samples") or "")
   end
   local mix = {}
   for _, t in ipairs(ORDER) do table.insert(mix, string.format('"%s": %d', t, tot[t])) end
   io.write(string.format(
      'SOAK_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "bytes": %d, ' ..
      '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, ' ..
      '"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d, ' ..
      '"non2xx": %d, "sent": {%s}}\n',
      summary.requests, secs, summary.requests / secs, summary.bytes,
      latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
      latency.max / 1e3, latency.mean / 1e3,
      e.connect, e.read, e.write, e.status, e.timeout, nb, table.concat(mix, ", ")))
   if samples ~= "" then io.write("SOAK_BAD\n" .. samples) end
end
