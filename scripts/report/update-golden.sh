#!/usr/bin/env bash
# Rewrites the golden files of the report workbook (Tests/ReportTests/Golden) from the workbook the
# current code writes. The golden-file test only compares and never writes them; run this after an
# intended layout change, then review `git diff Tests/ReportTests/Golden` before committing.
#   scripts/report/update-golden.sh [--skip-build]
set -euo pipefail
cd "$(dirname "$0")/../.."
golden=Tests/ReportTests/Golden
test=workbookPartsMatchTheGoldenFiles
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/parts"
if [ "${1:-}" != "--skip-build" ]; then nice -n 10 swift build --build-tests; fi
# The test fails wherever a part differs from its golden file (that is what is being updated); it
# writes every part it produced into $work/parts.
env -u SIPAS_UPDATE_GOLDEN SIPAS_GOLDEN_ACTUAL="$work/parts" swift test --skip-build --filter "$test" >"$work/log" 2>&1 || true
missing=0
for f in "$golden"/*; do
  [ -e "$f" ] || continue
  if [ ! -f "$work/parts/$(basename "$f")" ]; then echo "not produced: $(basename "$f")" >&2; missing=1; fi
done
if [ "$missing" -ne 0 ] || [ -z "$(ls -A "$work/parts")" ]; then
  echo "the test did not produce every part; nothing was updated. Its output:" >&2
  tail -n 40 "$work/log" >&2
  exit 1
fi
cp "$work/parts"/* "$golden"/
# Now the comparison must pass on its own.
if ! env -u SIPAS_UPDATE_GOLDEN swift test --skip-build --filter "$test" >"$work/log" 2>&1; then
  echo "the golden-file test still fails after the update:" >&2
  tail -n 40 "$work/log" >&2
  exit 1
fi
git status --short -- "$golden"
git diff --stat -- "$golden"
echo "golden files updated; review: git diff $golden"
