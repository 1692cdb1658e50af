#!/usr/bin/env bash
# Benchmark: `sipas report` on COUNT stored responses (all seven sheets, raw data included) beside
# Python XlsxWriter (constant_memory, zip64) and a bare C loop over libxlsxwriter writing the same
# raw-data cells, same run. Whole-process time (hyperfine) and peak memory (GNU time).
#   scripts/bench/report.sh [COUNT] [RUNS]      defaults: 1000000 3 (PY_RUNS=1 for the Python peer)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000000}; runs=${2:-3}
scripts/install-deps.sh --bench
python3 -c "import xlsxwriter" 2>/dev/null || python3 -m pip install --quiet xlsxwriter
[ -n "${SIPAS_BIN:-}" ] || swift build -c release --product sipas >/dev/null
sipas=${SIPAS_BIN:-$PWD/.build/release/sipas}
dir=${BENCH_DIR:-/tmp/sipas-bench}/report
mkdir -p "$dir"
gcc -O2 -o "$dir/report_floor" scripts/bench/report_floor.c $(pkg-config --cflags --libs xlsxwriter)
store=$dir/r-$count.sqlite
if [ ! -s "$store" ]; then
  "$sipas" generate --questionnaire sipas-2023 --count "$count" --units 1 --seed 2028 --out "$dir/g.csv"
  "$sipas" import --store "$store" --questionnaire sipas-2023 "$dir/g.csv" >/dev/null
fi
# The raw data as the report lays it out, for the peers.
"$sipas" export --store "$store" --out "$dir/data.csv" >/dev/null
first=$(head -1 "$dir/data.csv" | tr ',' '\n' | grep -n '^gender$' | cut -d: -f1); first=$((first - 1))
cat >"$dir/profile.yaml" <<YAML
unit: {code: XA01, name: "Xã Bench"}
period: 2026
questionnaire: sipas-2023
targets:
  - {title: "SIPAS", index: sipas, min: 0.95}
breakdowns: [field, channel]
YAML
hyperfine --warmup 0 --runs "$runs" --export-markdown "$dir/report.md" \
  -n "sipas report" "$sipas report --store $store --profile $dir/profile.yaml --out $dir/s.xlsx" \
  -n "C libxlsxwriter loop" "$dir/report_floor $dir/data.csv $dir/c.xlsx $first"
# The Python peer takes minutes a run: PY_RUNS of it (default 1; 0 skips it).
py_runs=${PY_RUNS:-1}
if [ "$py_runs" -gt 0 ]; then
  hyperfine --warmup 0 --runs "$py_runs" --export-markdown "$dir/report-python.md" \
    -n "Python XlsxWriter" "python3 scripts/bench/report_xlsxwriter.py $dir/data.csv $dir/p.xlsx $first"
  cat "$dir/report-python.md"
fi
cat "$dir/report.md"
for cmd in "$sipas report --store $store --profile $dir/profile.yaml --out $dir/s.xlsx" \
           "$dir/report_floor $dir/data.csv $dir/c.xlsx $first"; do
  peak=$(/usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -n 1)
  echo "peak RSS $((peak / 1024)) MiB: ${cmd%% *}"
done
ls -l "$dir"/*.xlsx
