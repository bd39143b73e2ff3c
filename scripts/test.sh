#!/usr/bin/env bash
# The test command: every unit and property test, then a short model-against-reality check on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --disable-swift-testing 2>&1 | tee .test.log
# A short real comparison (about 30 s): the model must predict this machine's measured makespans within a
# tolerance wide enough for a noisy shared machine.
swift build --product simulate
.build/debug/simulate compare scenarios/ci_check.json --runs 3 --tolerance 35 --no-pictures -o .build/ci-compare
tests=$(grep -Eo "Executed [0-9]+ tests, with [0-9]+ tests? skipped and [0-9]+ failures|Executed [0-9]+ tests, with [0-9]+ failures" .test.log | tail -1)
echo "unit tests: $tests; model against real runs: within tolerance"
