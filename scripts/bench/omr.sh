#!/usr/bin/env bash
# Benchmark: reading scanned forms (OMR), accuracy and speed.
#   scripts/bench/omr.sh [SHEETS]      default 50 (200 pages of sipas-2023, ~14,000 answers)
# 1. Accuracy: SHEETS sheets printed (`sipas form print`), rendered and marked by
#    scripts/omr/make_corpus.py (independent of sipas; seeded): fills, blanks, light pencil, half
#    fills, double marks; 150/200/300 dpi, turns up to 5°, ±5 % scale, shifts, blur, noise, JPEG
#    50–90, 1-bit, upside down, shuffled across PDF/TIFF/PNG/JPEG files. `sipas scan --dry-run
#    --json` on all of it, scored by scripts/omr/score.py.
# 2. Speed: the same sheets at 200 dpi as grey PNG pages, read on one core (taskset -c 0):
#    pages per second (hyperfine) and peak memory (GNU time).
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
if [ ! -s "$dir/mixed/truth.json" ]; then
  rm -rf "$dir/mixed"
  python3 scripts/omr/make_corpus.py --pdf "$dir/phieu.pdf" --layout "$dir/layout.json" --serials "$serials" --multi q2 \
    --seed 2026 --rotate 5 --scale 0.05 --out "$dir/mixed"
fi
if [ ! -s "$dir/png200/truth.json" ]; then
  rm -rf "$dir/png200"
  python3 scripts/omr/make_corpus.py --pdf "$dir/phieu.pdf" --layout "$dir/layout.json" --serials "$serials" --multi q2 \
    --seed 2027 --rotate 3 --scale 0.03 --dpi 200 --formats png --upside-down 0.1 --out "$dir/png200"
fi
pages=$(ls "$dir/png200"/scan-*.png | wc -l)

echo "== accuracy: $sheets sheets, mixed corpus"
"$sipas" scan --dry-run --json "$dir/mixed"/scan-* >"$dir/mixed.json" || true
python3 scripts/omr/score.py "$dir/mixed/truth.json" "$dir/mixed.json" | tee "$dir/mixed-score.json"
echo "== accuracy: $sheets sheets, 200 dpi PNG"
"$sipas" scan --dry-run --json "$dir/png200"/scan-* >"$dir/png200.json" || true
python3 scripts/omr/score.py "$dir/png200/truth.json" "$dir/png200.json"

echo "== speed: $pages pages at 200 dpi on one core"
hyperfine --runs 3 --warmup 1 --export-json "$dir/speed.json" \
  "taskset -c 0 $sipas scan --dry-run --json $dir/png200/scan-*.png" 2>&1 | grep -E "Time|Range"
python3 -c "
import json; r=json.load(open('$dir/speed.json'))['results'][0]
print('pages per second: %.1f (mean %.2f s for $pages pages)' % ($pages / r['mean'], r['mean']))"
/usr/bin/time -f "peak memory %M KiB" taskset -c 0 "$sipas" scan --dry-run --json "$dir/png200"/scan-*.png 2>&1 >/dev/null | tail -1
