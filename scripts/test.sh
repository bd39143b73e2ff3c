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
# One closing line in the plain form: passed, failed, skipped (the real comparison counts as one test).
summary=$(grep -E "^\s*Executed [0-9]+ tests?, with" .test.log | tail -1)
executed=$(echo "$summary" | grep -Eo "Executed [0-9]+" | grep -Eo "[0-9]+")
skipped=$(echo "$summary" | grep -Eo "[0-9]+ tests? skipped" | grep -Eo "^[0-9]+" || echo 0)
failed=$(echo "$summary" | grep -Eo "[0-9]+ failures?" | head -1 | grep -Eo "^[0-9]+")
echo "model against real runs: within tolerance"
echo "$((executed - ${skipped:-0} - failed + 1)) passed, $failed failed, ${skipped:-0} skipped"
