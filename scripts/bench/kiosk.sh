#!/usr/bin/env bash
# Benchmark: web kiosk ratings, request to durable commit (synchronous=FULL), under wrk load.
#   scripts/bench/kiosk.sh [SECONDS] [CONNECTIONS] [RUNS]      defaults: 20 20 3
# Each request carries a fresh Idempotency-Key (wrk Lua script). The peer is the straightforward
# design: Python's threading HTTP server with sqlite3, one transaction per rating, same load.
# Prints one line per run and server: requests/s, p50, p99 (ms), errors; the medians go to BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}; conns=${2:-20}; runs=${3:-3}
scripts/install-deps.sh --bench
[ -n "${SIPAS_BIN:-}" ] || swift build -c release --product sipas >/dev/null
sipas=${SIPAS_BIN:-$PWD/.build/release/sipas}
dir=${BENCH_DIR:-/tmp/sipas-bench-kiosk}
rm -rf "$dir"; mkdir -p "$dir"
cat >"$dir/post.lua" <<'LUA'
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args) thread_id = tid end
request = function()
  counter = counter + 1
  local key = string.format("w%02d-%09d-%06d", thread_id, counter, math.random(0, 999999))
  local body = string.format('{"answers":{"overall":%d}}', (counter % 3) + 1)
  return wrk.format("POST", "/api/responses", {["Content-Type"] = "application/json", ["Idempotency-Key"] = key}, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.2f p99=%.2f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
run_one() { # name port
  wrk -t2 -c"$conns" -d"${seconds}s" --timeout 5s -s "$dir/post.lua" "http://127.0.0.1:$2" | grep RESULT | sed "s/^RESULT/$1/"
}
for r in $(seq "$runs"); do
  rm -f "$dir"/s.sqlite*; "$sipas" init --store "$dir/s.sqlite" --unit XA01 --name "Xã Bench" >/dev/null
  "$sipas" kiosk --store "$dir/s.sqlite" --unit XA01 --web --listen 127.0.0.1:18081 --min-interval 0 >"$dir/sipas.log" 2>&1 &
  spid=$!; sleep 1.5
  run_one "sipas run=$r" 18081
  kill $spid; wait $spid 2>/dev/null || true
  stored=$(sqlite3 "$dir/s.sqlite" "select count(*) from responses")
  echo "  sipas stored $stored ratings"
  rm -f "$dir"/p.sqlite*
  python3 scripts/bench/kiosk_peer.py "$dir/p.sqlite" 18082 >"$dir/peer.log" 2>&1 &
  ppid=$!; sleep 1.5
  run_one "peer  run=$r" 18082
  kill $ppid; wait $ppid 2>/dev/null || true
  echo "  peer stored $(sqlite3 "$dir/p.sqlite" "select count(*) from ratings") ratings"
done
