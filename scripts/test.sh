#!/usr/bin/env bash
# The whole test suite: unit tests (swift test), the cross-check against R's survey package, the
# demo workbook recalculated in LibreOffice (every formula must give the value sipas cached), and
# each reader fuzzed for a short while (30 s a target, fixed seed; longer by hand: scripts/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build
scripts/crosscheck/run.sh
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
"$(swift build --show-bin-path)/sipas" demo --dir "$demo" >/dev/null
scripts/report/recalc-libreoffice.sh "$demo/bao-cao-2026.xlsx"
FUZZ_SEED=2026 scripts/fuzz/run.sh 30
