-- wrk_report.lua - wrk's done() hook shared by the benchmark's wrk scripts:
-- prints one JSON line (prefixed "WRK_JSON ") with throughput, latency
-- percentiles in ms and error counts, which bench/report.py reads.
-- Used alone for the ceilings (wrk -s bench/wrk_report.lua URL).
function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "bytes": %d, ' ..
      '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, ' ..
      '"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d}\n',
      summary.requests, secs, summary.requests / secs, summary.bytes,
      latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
      latency.max / 1e3, latency.mean / 1e3,
      e.connect, e.read, e.write, e.status, e.timeout))
end
