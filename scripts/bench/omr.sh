#!/usr/bin/env bash
# Benchmark: reading scanned forms (OMR), accuracy and speed.
#   scripts/bench/omr.sh [SHEETS [CORPORA]]   default 50 sheets (200 pages of sipas-2023, 3,550
#                                             answers) and 1 mixed corpus; 15 corpora ≈ 53,000 answers
# 1. Accuracy: SHEETS sheets printed (`sipas form print`), rendered and marked by
#    scripts/omr/make_corpus.py (independent of sipas; seeded): fills, blanks, erased fills, light
#    pencil, half fills, double marks, ticks, crosses, circled codes, corrections; 150/200/300 dpi,
#    turns up to 5°, ±5 % scale, shifts, blur, noise, JPEG 50–90, 1-bit, upside down, shuffled
#    across PDF/TIFF/PNG/JPEG files. CORPORA such corpora of the same printed sheets, each marked
#    and scanned anew (seeds 2026, 2028, …; pages rendered once), two made at a time; `sipas scan
#    --dry-run --json` on each, scored by scripts/omr/score.py and summed.
# 2. Speed: the same sheets at 200 dpi as grey PNG pages, read on one core (taskset -c 0):
#    pages per second (hyperfine) and peak memory (GNU time).
# 3. Slips: 4 × SHEETS counter-quick slips printed four to an A4 page, marked and scanned as above
#    (make_corpus.py --cut: half the A4 pages cut into slips scanned alone, half uncut), in
#    SLIP_CORPORA corpora (default 5; seeds 3032, 3034, …), scored and summed.
set -euo pipefail
cd "$(dirname "$0")/../.."
sheets=${1:-50}
scripts/install-deps.sh --test >/dev/null
scripts/install-deps.sh --bench >/dev/null
swift build -c release --product sipas >/dev/null
sipas=$PWD/.build/release/sipas
dir=${BENCH_DIR:-/tmp/sipas-bench}/omr-$sheets
mkdir -p "$dir"
"$sipas" form print --questionnaire sipas-2023 --unit XA01 --year 2026 --count "$sheets" --out "$dir/phieu.pdf" >/dev/null
"$sipas" form layout --questionnaire sipas-2023 --json >"$dir/layout.json"
serials=$(python3 -c "print(','.join('XA01-2026-%04d' % n for n in range(1, $sheets + 1)))")
corpora=${2:-1}
mkdir -p "$dir/render"
make_mixed() {
  local k=$1 out="$dir/mixed-$1"
  [ -s "$out/truth.json" ] && return 0
  rm -rf "$out"
  python3 scripts/omr/make_corpus.py --pdf "$dir/phieu.pdf" --layout "$dir/layout.json" --serials "$serials" --multi q2 \
    --seed $((2024 + 2 * k)) --rotate 5 --scale 0.05 --render-cache "$dir/render" --out "$out" >/dev/null
}
export -f make_mixed
export dir serials
# The first corpus alone fills the render cache; the others two at a time.
make_mixed 1
seq 2 "$corpora" | xargs -r -P 2 -I{} bash -c 'make_mixed {}'
if [ ! -s "$dir/png200/truth.json" ]; then
  rm -rf "$dir/png200"
  python3 scripts/omr/make_corpus.py --pdf "$dir/phieu.pdf" --layout "$dir/layout.json" --serials "$serials" --multi q2 \
    --seed 2027 --rotate 3 --scale 0.03 --dpi 200 --formats png --upside-down 0.1 --out "$dir/png200"
fi
pages=$(ls "$dir/png200"/scan-*.png | wc -l)

echo "== accuracy: $corpora mixed corpus(es) of $sheets sheets"
for k in $(seq 1 "$corpora"); do
  "$sipas" scan --dry-run --json "$dir/mixed-$k"/scan-* >"$dir/mixed-$k.json" || true
  python3 scripts/omr/score.py "$dir/mixed-$k/truth.json" "$dir/mixed-$k.json" >"$dir/mixed-$k-score.json"
done
python3 scripts/omr/score.py --sum $(seq -f "$dir/mixed-%g-score.json" 1 "$corpora")
echo "== accuracy: $sheets sheets, 200 dpi PNG"
"$sipas" scan --dry-run --json "$dir/png200"/scan-* >"$dir/png200.json" || true
python3 scripts/omr/score.py "$dir/png200/truth.json" "$dir/png200.json"

slip_corpora=${SLIP_CORPORA:-5}
echo "== accuracy: counter-quick slips, $((4 * sheets)) slips on $sheets A4 pages, half the pages cut, $slip_corpora corpora"
"$sipas" form print --questionnaire counter-quick --slips --unit XA01 --year 2026 --count $((4 * sheets)) --out "$dir/slips.pdf" >/dev/null
"$sipas" form layout --questionnaire counter-quick --slips --json >"$dir/slips-layout.json"
slip_serials=$(python3 -c "print(','.join('XA01-2026-%04d' % n for n in range(1, 4 * $sheets + 1)))")
mkdir -p "$dir/slips-render"
for k in $(seq 1 "$slip_corpora"); do
  out="$dir/slips-$k"
  if [ ! -s "$out/truth.json" ]; then
    rm -rf "$out"
    python3 scripts/omr/make_corpus.py --pdf "$dir/slips.pdf" --layout "$dir/slips-layout.json" --serials "$slip_serials" \
      --seed $((3030 + 2 * k)) --rotate 5 --scale 0.05 --render-cache "$dir/slips-render" --out "$out" >/dev/null
  fi
  "$sipas" scan --dry-run --json "$out"/scan-* >"$out.json" || true
  python3 scripts/omr/score.py "$out/truth.json" "$out.json" >"$out-score.json"
done
python3 scripts/omr/score.py --sum $(seq -f "$dir/slips-%g-score.json" 1 "$slip_corpora")

echo "== speed: $pages pages at 200 dpi on one core"
hyperfine --runs 3 --warmup 1 --export-json "$dir/speed.json" \
  "taskset -c 0 $sipas scan --dry-run --json $dir/png200/scan-*.png" 2>&1 | grep -E "Time|Range"
python3 -c "
import json; r=json.load(open('$dir/speed.json'))['results'][0]
print('pages per second: %.1f (mean %.2f s for $pages pages)' % ($pages / r['mean'], r['mean']))"
/usr/bin/time -f "peak memory %M KiB" taskset -c 0 "$sipas" scan --dry-run --json "$dir/png200"/scan-*.png 2>&1 >/dev/null | tail -1
