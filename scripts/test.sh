#!/usr/bin/env bash
# The whole test suite: unit tests (swift test) and the cross-check against R's survey package.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build
scripts/crosscheck/run.sh
