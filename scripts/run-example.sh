#!/usr/bin/env bash
# The main job on sample data (sipas demo): a store for a sample commune, a year of counter
# ratings, 350 paper SIPAS forms typed into data-entry templates and imported through the real
# import path → out/demo/bao-cao-2026.xlsx, the workbook for the province, and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product sipas
.build/release/sipas demo --dir out/demo
