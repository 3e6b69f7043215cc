-- POSTs a chat completion (max_tokens 16) and counts the completion tokens each reply reports.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model": "small", "max_tokens": 16, "messages": [{"role": "user", "content": "Write a short story about a robot learning to paint."}]}'

local threads = {}
function setup(thread) table.insert(threads, thread) end

tokens, failures = 0, 0
function response(status, headers, body)
  if status ~= 200 then failures = failures + 1 return end
  local n = body:match('"completion_tokens":(%d+)')
  if n then tokens = tokens + tonumber(n) end
end

function done(summary, latency, requests)
  local total, failed = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("tokens")
    failed = failed + t:get("failures")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT chat requests/s=%.2f p50_ms=%.1f p99_ms=%.1f generated_tokens/s=%.1f non200=%d requests=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, total / seconds, failed, summary.requests))
end
