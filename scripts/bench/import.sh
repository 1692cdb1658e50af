#!/usr/bin/env bash
# Benchmark: `sipas import` of generated responses against peers on the same file, same run.
#   scripts/bench/import.sh [CSV_COUNT] [XLSX_COUNT] [RUNS]     defaults: 1000000 100000 3
# Peers for the CSV: Python pandas read_csv + to_sql into SQLite, and SQLite's own .import
# (the floor: no validation, one wide table of text). Whole-process time and peak memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-1000000}; xcount=${2:-100000}; runs=${3:-3}
scripts/install-deps.sh --bench
command -v sqlite3 >/dev/null || { echo "installing sqlite3" >&2; apt-get install -y -qq sqlite3 >/dev/null; }
python3 -c "import pandas" 2>/dev/null || python3 -m pip install --quiet pandas
[ -n "${SIPAS_BIN:-}" ] || swift build -c release --product sipas >/dev/null
sipas=${SIPAS_BIN:-$PWD/.build/release/sipas}
dir=${BENCH_DIR:-/tmp/sipas-bench}
mkdir -p "$dir"
csv=$dir/sipas-2023-$count-50.csv
[ -s "$csv" ] || "$sipas" generate --questionnaire sipas-2023 --count "$count" --units 50 --seed 2026 --out "$csv"
# A filled template of xcount forms of one unit: import the CSV, export as .xlsx.
xlsx=$dir/sipas-2023-$xcount.xlsx
if [ ! -s "$xlsx" ]; then
  "$sipas" generate --questionnaire sipas-2023 --count "$xcount" --units 1 --seed 2027 --out "$dir/x.csv"
  rm -f "$dir/x.sqlite"*
  "$sipas" import --store "$dir/x.sqlite" --questionnaire sipas-2023 "$dir/x.csv" >/dev/null
  "$sipas" export --store "$dir/x.sqlite" --out "$xlsx"
fi
ls -l "$csv" "$xlsx"
cat >"$dir/pandas_import.py" <<'PY'
import sqlite3, sys
import pandas as pd
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
con = sqlite3.connect(sys.argv[2])
df.to_sql("responses", con, index=False, chunksize=50000)
con.commit()
PY
prep="rm -f $dir/b.sqlite $dir/b.sqlite-wal $dir/b.sqlite-shm"
hyperfine --warmup 0 --runs "$runs" --prepare "$prep" --export-markdown "$dir/import.md" \
  -n "sipas import (CSV)" "$sipas import --store $dir/b.sqlite --questionnaire sipas-2023 $csv" \
  -n "pandas read_csv+to_sql" "python3 $dir/pandas_import.py $csv $dir/b.sqlite" \
  -n "sqlite3 .import" "sqlite3 $dir/b.sqlite '.mode csv' '.import $csv responses'" \
  -n "sipas import (xlsx, $xcount)" "$sipas import --store $dir/b.sqlite $xlsx"
peak() {
  for _ in $(seq "$runs"); do eval "$prep"; /usr/bin/time -f %M bash -c "$1 >/dev/null" 2>&1 >/dev/null | tail -n 1; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}'
}
echo "peak RSS MiB (median of $runs): sipas csv $(peak "$sipas import --store $dir/b.sqlite --questionnaire sipas-2023 $csv")," \
  "pandas $(peak "python3 $dir/pandas_import.py $csv $dir/b.sqlite")," \
  "sqlite3 $(peak "sqlite3 $dir/b.sqlite '.mode csv' '.import $csv responses'")," \
  "sipas xlsx $(peak "$sipas import --store $dir/b.sqlite $xlsx")"
