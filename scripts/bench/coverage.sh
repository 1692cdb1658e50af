#!/usr/bin/env bash
# Coverage study of the interval methods (issue 11): how often a nominal 95 % interval contains the
# true value, over SIMULATIONS seeded surveys per cell from known populations (see
# Sources/Bench/Coverage/CoverageStudy.swift for the model), every survey analysed by sipas itself.
#   scripts/bench/coverage.sh [SIMULATIONS] [REPLICATES]      defaults: 2000 1000
# Writes the Markdown table to ${BENCH_DIR:-/tmp/sipas-bench}/coverage.md and prints it; progress
# (one line per cell) goes to standard error. The same arguments give the same table.
set -euo pipefail
cd "$(dirname "$0")/../.."
simulations=${1:-2000}; replicates=${2:-1000}
swift build -c release --product sipas-coverage >/dev/null
out=${BENCH_DIR:-/tmp/sipas-bench}/coverage.md
mkdir -p "$(dirname "$out")"
start=$(date +%s)
.build/release/sipas-coverage --simulations "$simulations" --replicates "$replicates" --seed 2026 >"$out"
echo "($(($(date +%s) - start)) s)" >&2
cat "$out"
