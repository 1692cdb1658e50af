#!/usr/bin/env bash
# The main job on the bundled sample: SIPAS 2023 forms from three communes → indices with
# confidence intervals and verdicts against a 95 % target, by unit; JSON beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product sipas
sipas=.build/release/sipas
mkdir -p out
"$sipas" analyze --questionnaire sipas-2023 --input Examples/sipas-2023-mau.csv --by unit --target 0.95 --json > out/ket-qua.json
"$sipas" analyze --questionnaire sipas-2023 --input Examples/sipas-2023-mau.csv --by unit --target 0.95
echo
echo "JSON: out/ket-qua.json"
