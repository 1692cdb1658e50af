#!/usr/bin/env bash
# Benchmark: `sipas analyze` on generated responses against R's survey package, same file, same run.
#   scripts/bench/analyze.sh [COUNT] [UNITS] [RUNS]     defaults: 1000000 50 5
# Prints hyperfine's table (medians) and peak memory from GNU time (median of RUNS).
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000000}; units=${2:-50}; runs=${3:-5}
scripts/install-deps.sh --bench
swift build -c release --product sipas >/dev/null
sipas=$PWD/.build/release/sipas
data=${BENCH_DIR:-/tmp/sipas-bench}/sipas-2023-$count-$units.csv
mkdir -p "$(dirname "$data")"
[ -s "$data" ] || "$sipas" generate --questionnaire sipas-2023 --count "$count" --units "$units" --seed 2026 --out "$data"
ls -l "$data"
sipas_cmd="$sipas analyze --questionnaire sipas-2023 --input $data --json"
r_cmd="Rscript scripts/bench/analyze-r.R $data Questionnaires/sipas-2023.yaml"
hyperfine --warmup 1 --runs "$runs" --export-markdown /tmp/sipas-bench/analyze.md \
  -n sipas "$sipas_cmd >/dev/null" -n "R survey" "$r_cmd >/dev/null"
peak() {  # median max RSS in MiB over $runs runs
  for _ in $(seq "$runs"); do /usr/bin/time -f %M bash -c "$1 >/dev/null" 2>&1 >/dev/null | tail -n 1; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}'
}
echo "peak RSS (median of $runs): sipas $(peak "$sipas_cmd") MiB, R survey $(peak "$r_cmd") MiB"
