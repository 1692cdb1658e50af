#!/usr/bin/env bash
# Benchmark: the province's side for UNITS units × FORMS forms each.
#   scripts/bench/province.sh [UNITS] [FORMS] [RUNS] [WORKBOOKS]     defaults: 100 200 3 100
# 1. Consolidation: WORKBOOKS communes' report workbooks (made first, not timed) imported into a
#    province store with every submission check (`sipas import nop/*.xlsx`), timed once.
# 2. The province report (`sipas report --profile`: the province estimate, every unit's index on
#    its own forms, 2,000 joint draws for the rank intervals, the workbook) on a store holding
#    UNITS × FORMS forms (imported from one CSV), beside R's survey package computing the same unit
#    estimates, province estimate and rank intervals (scripts/bench/province-r.R), same data, same
#    run: hyperfine medians, and peak memory from GNU time.
set -euo pipefail
cd "$(dirname "$0")/../.."
units=${1:-100}; forms=${2:-200}; runs=${3:-3}; workbooks=${4:-100}
scripts/install-deps.sh --bench >/dev/null
swift build -c release --product sipas >/dev/null
sipas=$PWD/.build/release/sipas
dir=${BENCH_DIR:-/tmp/sipas-bench}/province-$units-$forms
mkdir -p "$dir"
count=$((units * forms))
data=$dir/forms.csv
[ -s "$data" ] || "$sipas" generate --questionnaire sipas-2023 --count "$count" --units "$units" --seed 2026 --out "$data" 2>/dev/null
# The province profile listing every unit of the file.
profile=$dir/tinh.yaml
{
  printf 'level: tỉnh\nunit: {code: TN, name: "Tỉnh Thái Nguyên"}\nperiod: 2026\nquestionnaire: sipas-2023\nunits:\n'
  cut -d, -f2 "$data" | tail -n +2 | sort -u | awk '{printf "  - {code: %s, name: \"Xã %s\"}\n", $1, $1}'
} >"$profile"
store=$dir/tinh.sqlite
if [ ! -s "$store" ]; then
  rm -f "$store"*
  "$sipas" import --store "$store" --questionnaire sipas-2023 "$data" >/dev/null
fi

# 1. Consolidation of commune workbooks (made in bulk by sipas-bench-workbooks, with the same code
#    as `sipas report`, two at a time; not timed).
wdir=${BENCH_DIR:-/tmp/sipas-bench}/workbooks-$workbooks-$forms
if [ ! -s "$wdir/nop/$(printf 'XA%05d' "$workbooks").xlsx" ]; then
  swift build -c release --product sipas-bench-workbooks >/dev/null
  rm -rf "$wdir"
  .build/release/sipas-bench-workbooks --units "$workbooks" --forms "$forms" --seed 2027 --out "$wdir" >/dev/null
fi
rm -f "$wdir/tinh.sqlite"*
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$wdir/import.rss" "$sipas" import --store "$wdir/tinh.sqlite" "$wdir"/nop/*.xlsx >/dev/null
end=$(date +%s.%N)
printf 'consolidation: %d workbooks × %d forms imported with every check in %.2f s, peak RSS %d MiB\n' \
  "$workbooks" "$forms" "$(echo "$end - $start" | bc)" $(( $(cat "$wdir/import.rss") / 1024 ))

# 2. The province report against R.
sipas_cmd="$sipas report --store $store --profile $profile --out $dir/tong-hop.xlsx --json"
r_cmd="Rscript scripts/bench/province-r.R $data Questionnaires/sipas-2023.yaml"
hyperfine --warmup 1 --runs "$runs" --export-markdown "$dir/province.md" \
  -n sipas "$sipas_cmd >/dev/null" -n "R survey" "$r_cmd >/dev/null"
peak() {  # median max RSS in MiB over $runs runs
  for _ in $(seq "$runs"); do /usr/bin/time -f %M bash -c "$1 >/dev/null" 2>&1 >/dev/null | tail -n 1; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}'
}
echo "peak RSS (median of $runs): sipas $(peak "$sipas_cmd") MiB, R survey $(peak "$r_cmd") MiB"
