#!/usr/bin/env bash
# Benchmark: 50 web kiosks (real `sipas kiosk --web --upstream` processes, each on its own SQLite)
# syncing to one `sipas serve`, on PostgreSQL beside on SQLite, same run, same machine.
#   scripts/bench/serve.sh [KIOSKS] [SECONDS]      defaults: 50 60
# Two loads each: every kiosk rated back to back (what the chain sustains), and 1 rating a second
# per kiosk (far above a real office's traffic: the latency a kiosk sees when the server is not
# the bottleneck). Measured by scripts/bench/serve_kiosks.py: ratings a second committed on the
# server during the run, and kiosk commit → server commit p50/p99 over every rating.
# PostgreSQL is a throwaway cluster (scripts/pg/cluster.sh: loopback, fsync off); SQLite's
# server store is on the same disk with its own settings (WAL, synchronous=FULL).
set -euo pipefail
cd "$(dirname "$0")/../.."
kiosks=${1:-50}; seconds=${2:-60}
scripts/install-deps.sh --test --bench >/dev/null
swift build -c release --product sipas >/dev/null
sipas=$PWD/.build/release/sipas
dir=${BENCH_DIR:-/tmp/sipas-bench}/serve
rm -rf "$dir"; mkdir -p "$dir"
cluster=$(mktemp -d)
trap 'scripts/pg/cluster.sh stop "$cluster"' EXIT
url=$(scripts/pg/cluster.sh start "$cluster")
admin=${url%/*}/postgres
base=${url%/*}
for rate in 0 1; do
  for store in postgres sqlite; do
    run=$dir/$store-rate$rate
    if [ $store = postgres ]; then
      psql -q "$admin" -c "DROP DATABASE IF EXISTS bench_serve" -c "CREATE DATABASE bench_serve" >/dev/null
      target=$base/bench_serve
    else
      target=$run/server.sqlite
    fi
    python3 scripts/bench/serve_kiosks.py "$sipas" "$run" "$target" --kiosks "$kiosks" --seconds "$seconds" --rate $rate | tee "$run.json"
  done
done
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
print("| load | store | ratings/s committed by kiosks | by the server, during the run | kiosk → server p50 | p99 | max | outboxes empty after | server's rate while draining |")
print("|---|---|---|---|---|---|---|---|---|")
for rate in (0, 1):
    for store in ("postgres", "sqlite"):
        r = json.load(open(f"{d}/{store}-rate{rate}.json"))
        load = "back to back" if rate == 0 else f"{rate} rating/s per kiosk"
        l = r["latency_ms"]
        drain = r.get("drain_ratings_per_second") or "–"
        print(f"| {r['kiosks']} kiosks, {load} | {store} | {r['kiosk_ratings_per_second']} | {r['server_ratings_per_second']} | {l['p50']} ms | {l['p99']} ms | {l['max']} ms | {r['drain_seconds']} s | {drain} |")
PY
