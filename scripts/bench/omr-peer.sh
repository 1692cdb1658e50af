#!/usr/bin/env bash
# sipas beside OMRChecker (github.com/Udayraj123/OMRChecker), the same corpora, the same run.
#   OMRCHECKER=DIR scripts/bench/omr-peer.sh [SHEETS]      default 10 sheets (40 pages)
# OMRChecker is not part of sipas and not in this repository: fetch its public repository and
# give its folder as OMRCHECKER. scripts/omr/omrchecker_peer.py writes its templates from
# `sipas form layout --json` (alignment on the four corner squares), sorts the pages by printed
# page number for it (it cannot read the QR codes) and scores its answers like score.py.
# Two corpora of the same printed sheets: "upright" (150/200/300 dpi, PNG, JPEG and 1-bit,
# turns up to 3°, none upside down, one page a file) and "mixed" (as scripts/bench/omr.sh:
# also PDF and TIFF, 20 % upside down). Run on an idle machine for the times.
set -euo pipefail
cd "$(dirname "$0")/../.."
sheets=${1:-10}
: "${OMRCHECKER:?set OMRCHECKER to a checkout of github.com/Udayraj123/OMRChecker}"
scripts/install-deps.sh --test >/dev/null
scripts/install-deps.sh --bench >/dev/null
python3 -c "import cv2, deepmerge, dotmap, jsonschema, matplotlib, pandas, rich, screeninfo" 2>/dev/null ||
  pip install -q opencv-python-headless deepmerge dotmap jsonschema matplotlib pandas rich screeninfo
command -v xvfb-run >/dev/null || apt-get install -y -qq xvfb xauth >/dev/null
swift build -c release --product sipas >/dev/null
sipas=$PWD/.build/release/sipas
dir=${BENCH_DIR:-/tmp/sipas-bench}/omr-peer-$sheets
mkdir -p "$dir"
"$sipas" form print --questionnaire sipas-2023 --unit XA01 --year 2026 --count "$sheets" --out "$dir/phieu.pdf" >/dev/null
"$sipas" form layout --questionnaire sipas-2023 --json >"$dir/layout.json"
serials=$(python3 -c "print(','.join('XA01-2026-%04d' % n for n in range(1, $sheets + 1)))")
make() {
  [ -s "$dir/$1/truth.json" ] && return 0
  python3 scripts/omr/make_corpus.py --pdf "$dir/phieu.pdf" --layout "$dir/layout.json" --serials "$serials" --multi q2 \
    --render-cache "$dir/render" --out "$dir/$1" "${@:2}" >/dev/null
}
make upright --seed 31 --rotate 3 --scale 0.03 --formats png,jpeg,bilevel --upside-down 0 --per-file 1
make mixed --seed 32 --rotate 5 --scale 0.05
for corpus in upright mixed; do
  echo "== $corpus: $(ls "$dir/$corpus"/scan-* | wc -l) files of $((sheets * 4)) pages"
  start=$(date +%s.%N)
  "$sipas" scan --dry-run --json "$dir/$corpus"/scan-* >"$dir/$corpus-sipas.json" || true
  end=$(date +%s.%N)
  echo "sipas:      $(python3 scripts/omr/score.py "$dir/$corpus/truth.json" "$dir/$corpus-sipas.json" | python3 -c "
import json, sys; s = json.load(sys.stdin)
print('clear %d, read right %d, to review %d, wrong unflagged %d; planted doubtful %d, flagged %d, unflagged %d; pages refused %d' % (
    s['clear'], s['clear_right'], s['clear_to_review'], s['clear_wrong'], s['doubtful'], s['doubtful_flagged'], s['doubtful_unflagged'], s['pages_refused']))")"
  echo "sipas time: $(python3 -c "print('%.1f s' % ($end - $start))")"
  python3 scripts/omr/omrchecker_peer.py --omrchecker "$OMRCHECKER" --layout "$dir/layout.json" --corpus "$dir/$corpus" >"$dir/$corpus-omrchecker.json"
  echo "OMRChecker: $(cat "$dir/$corpus-omrchecker.json")"
done
