#!/usr/bin/env bash
# Starts the server (Release build) with the `small` synthetic model and measures it with wrk:
#   GET /v1/models with a key at 1 and 64 connections, against GET /health (same headers, no key, no rate limit), and
#   POST /v1/chat/completions (max_tokens 16) at 4 connections.
# Usage: benchmarks/server/run.sh [seconds per run, default 15]. Needs wrk (Debian package) and a prior
# `dotnet build -c Release`.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
port=18123
data=$(mktemp -d)
exe=src/Provocapi.Host/bin/Release/net10.0/provocapi.dll
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT

key=$(dotnet $exe keys create --tenant bench --tier dedicated --data "$data" 2>/dev/null | tail -n 1)
export Provocapi__Tiers__Dedicated__RequestsPerMinute=1000000000 Provocapi__Tiers__Dedicated__TokensPerMinute=1000000000000
dotnet $exe serve --urls "http://127.0.0.1:$port" --data "$data" \
  --Provocapi:Models:0:Id=small --Provocapi:Models:0:Path=synthetic:small:Q8_0 \
  --Provocapi:Models:0:Tokenizer=tests/fixtures/tokenizers/ggml-vocab-llama-spm.gguf --Provocapi:Models:0:Threads=2 \
  --Logging:LogLevel:Default=Warning > "$data/server.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$port/ready" > /dev/null; do sleep 0.5; done

auth="Authorization: Bearer $key"
warm() { wrk -t1 -c"$2" -d3s -H "$auth" "http://127.0.0.1:$port$1" > /dev/null; }
warm /v1/models 64
for c in 1 64; do
  ENDPOINT="health c=$c" wrk -t1 -c$c -d"${seconds}s" --latency -s benchmarks/server/get.lua "http://127.0.0.1:$port/health" | grep RESULT
  ENDPOINT="models c=$c" wrk -t1 -c$c -d"${seconds}s" --latency -s benchmarks/server/get.lua -H "$auth" "http://127.0.0.1:$port/v1/models" | grep RESULT
done
wrk -t1 -c4 -d"$((seconds * 2))s" --timeout 30s --latency -s benchmarks/server/chat.lua -H "$auth" "http://127.0.0.1:$port/v1/chat/completions" | grep RESULT
