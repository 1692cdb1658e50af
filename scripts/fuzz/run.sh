#!/usr/bin/env bash
# Fuzzes the readers with libFuzzer: the canonical CSV reader, the worksheet XML scanner, whole .xlsx
# workbooks (with the template import) and the questionnaire / report-profile loaders.
#
#   scripts/fuzz/run.sh [SECONDS] [TARGET ...]     SECONDS per target (default 60);
#                                                  targets: csv sheet-xml xlsx yaml (default all)
#
# The targets (Sources/Fuzz) are in the package only when SIPAS_FUZZ=1, and are built in release
# with -sanitize=fuzzer,address under .build-fuzz, so the normal build never sees them. Each runs on
# a copy of its seed corpus, made from committed files (Examples/, Tests/CLITests/Fixtures,
# Questionnaires/, Reports/, Tests/Fuzz/Corpus/TARGET) and from workbooks the CLI writes
# (`sipas template`, `sipas demo`), with the dictionary Tests/Fuzz/TARGET.dict.
# Prints per target the executions, exec/s, coverage (cov = edges, ft = features) and corpus size;
# exits non-zero on any crash, timeout (-timeout, default 10 s) or out-of-memory (-rss_limit_mb),
# and keeps the input that caused it (the path is printed).
#
# Environment: FUZZ_DIR=DIR  work in DIR and keep it (corpora grow from run to run); by default a
#              temporary directory, removed unless something was found.
#              FUZZ_TIMEOUT (seconds per input, default 10), FUZZ_RSS_MB (default 2048),
#              FUZZ_SEED=N  libFuzzer's random seed (default: a new one each run); CI sets it so
#              that a run can be repeated exactly,
#              FUZZ_LEAKS=1 to detect leaks too (off by default: it makes every target 10-20x slower).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv sheet-xml xlsx yaml)

product() {
  case "$1" in
    csv) echo FuzzCSV ;;
    sheet-xml) echo FuzzSheetXML ;;
    xlsx) echo FuzzXlsx ;;
    yaml) echo FuzzYAML ;;
    *) echo "unknown fuzz target '$1' (expected csv, sheet-xml, xlsx or yaml)" >&2; exit 2 ;;
  esac
}
max_len() {
  case "$1" in
    csv) echo 8192 ;;
    sheet-xml) echo 32768 ;;
    xlsx) echo 65536 ;;
    yaml) echo 32768 ;;
  esac
}
for t in "${targets[@]}"; do product "$t" >/dev/null; done

if [ -n "${FUZZ_DIR:-}" ]; then
  work=$FUZZ_DIR
  mkdir -p "$work"
  keep=1
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/sipas-fuzz.XXXXXX")
  keep=0
fi

# Build. swiftc keeps only the last -sanitize= option, so fuzzer and address go in one (SwiftPM's
# --sanitize=fuzzer is there for the link: libFuzzer's main instead of the target's); C targets
# (libyaml in Yams) get the same instrumentation. -enable-testing lets FuzzSheetXML reach the
# internal sheet scanner.
export SIPAS_FUZZ=1
build=(swift build -c release --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
       -Xcc -fsanitize=fuzzer-no-link,address -Xswiftc -enable-testing)
for t in "${targets[@]}"; do
  echo "== building $(product "$t") (log: $work/build.log)" >&2
  if ! "${build[@]}" --product "$(product "$t")" >>"$work/build.log" 2>&1; then
    grep -E "error:" "$work/build.log" | head -n 20 >&2
    echo "fuzz build failed; see $work/build.log" >&2
    exit 1
  fi
done
bin=$("${build[@]}" --show-bin-path)

# Seed corpora, from committed files and from what the CLI writes.
seed_csv() {
  local d=$1 csv=Examples/sipas-2023-mau.csv
  head -n 1 "$csv" >"$d/header.csv"
  head -n 4 "$csv" >"$d/rows3.csv"
  head -n 12 "$csv" | tail -n +5 | cat <(head -n 1 "$csv") - >"$d/rows8.csv"
  # Semicolons and CRLF, as Vietnamese Excel saves.
  head -n 4 "$csv" | sed 's/,/;/g; s/$/\r/' >"$d/rows3-semicolon-crlf.csv"
  cp Tests/CLITests/Fixtures/*.csv "$d/"
}
seed_yaml() {
  cp Questionnaires/*.yaml Reports/*.yaml "$1/"
}
# Workbooks written by the CLI (normal debug build): two empty templates, the demo's filled one and its report.
# From them: trimmed worksheets for sheet-xml; the workbooks and their parts as "@@ path" lists
# for xlsx (scripts/fuzz/seeds.py).
workbooks() {
  local d=$work/workbooks
  if [ ! -f "$d/demo/phieu-2026.xlsx" ]; then
    echo "== writing workbooks with the sipas CLI" >&2
    mkdir -p "$d"
    (unset SIPAS_FUZZ; swift build --product sipas >>"$work/build.log" 2>&1)
    local sipas
    sipas="$(unset SIPAS_FUZZ; swift build --show-bin-path)/sipas"
    "$sipas" template --questionnaire sipas-2023 --unit XA01 --out "$d/template-sipas-2023.xlsx" >/dev/null
    "$sipas" template --questionnaire counter-quick --unit XA01 --out "$d/template-counter-quick.xlsx" >/dev/null
    "$sipas" demo --dir "$d/demo" >/dev/null
  fi
  echo "$d/template-sipas-2023.xlsx" "$d/template-counter-quick.xlsx" "$d/demo/phieu-2026.xlsx" "$d/demo/bao-cao-2026.xlsx"
}
seed_xlsx() {
  # shellcheck disable=SC2046
  python3 scripts/fuzz/seeds.py xlsx "$1" $(workbooks)
}
seed_sheet_xml() {
  # shellcheck disable=SC2046
  python3 scripts/fuzz/seeds.py sheet-xml "$1" $(workbooks)
}

status=0
for t in "${targets[@]}"; do
  dir=$work/$t
  mkdir -p "$dir/seeds" "$dir/corpus" "$dir/artifacts"
  "seed_${t//-/_}" "$dir/seeds"
  [ -d "Tests/Fuzz/Corpus/$t" ] && cp Tests/Fuzz/Corpus/"$t"/* "$dir/seeds/" 2>/dev/null || true
  dict=()
  [ -f "Tests/Fuzz/$t.dict" ] && dict=(-dict="$root/Tests/Fuzz/$t.dict")
  echo "== fuzzing $t for ${seconds}s (log: $dir/log)" >&2
  set +e
  # Swift's own crash handler would get in the way of the sanitizer's report.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=${FUZZ_LEAKS:-0}} \
    "$bin/$(product "$t")" -max_total_time="$seconds" -max_len="$(max_len "$t")" -detect_leaks="${FUZZ_LEAKS:-0}" \
    -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    -artifact_prefix="$dir/artifacts/" "${dict[@]}" "$dir/corpus" "$dir/seeds" >"$dir/log" 2>&1
  rc=$?
  set -e
  # The last status line (cov, ft, corp) and the final statistics.
  last=$(grep -E '^#[0-9]+' "$dir/log" | tail -n 1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+)\/([0-9]+[a-zA-Z]*).*/\1 (\2)/p' <<<"$last")
  execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$dir/log")
  speed=$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$dir/log")
  rss=$(sed -nE 's/^stat::peak_rss_mb: +([0-9]+)/\1/p' "$dir/log")
  line="$t: ${execs:-?} executions (${speed:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, peak RSS ${rss:-?} MB"
  found=$(find "$dir/artifacts" -type f | sort)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    status=1
    line+=" — FAILED (exit $rc)"
    for f in $found; do line+=$'\n'"  input kept: $f"; done
    line+=$'\n'"  report: $dir/log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|DEFECT|Fatal error|.*Fatal error:)' "$dir/log" | head -n 5 | sed 's/^/  /' >&2 || true
  fi
  echo "$line"
done

if [ "$status" -ne 0 ] || [ "$keep" -eq 1 ]; then
  echo "fuzz work directory kept: $work" >&2
else
  rm -rf "$work"
fi
exit "$status"
