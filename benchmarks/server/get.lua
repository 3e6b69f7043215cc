-- Reports a GET endpoint's throughput and latency percentiles on one line.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %s requests/s=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%d requests=%d\n",
    os.getenv("ENDPOINT") or "get", summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.requests))
end
