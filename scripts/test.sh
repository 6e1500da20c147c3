#!/usr/bin/env bash
# The test command (`npm test`): system packages if missing, build, unit tests (in parallel), then
# the lab integration tests over real SSH (one file at a time: each builds a lab of its own, and
# timing-sensitive faults are injected there). Ends with a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
# it names the Debian packages it is going to install, if any are missing, before installing them
bash scripts/setup-system.sh --test
npx tsc -p tsconfig.json
mkdir -p .test-results
status=0
npx vitest run --exclude 'test/e2e/**' --reporter=default --reporter=json --outputFile.json=.test-results/unit.json "$@" || status=$?
npx vitest run test/e2e --no-file-parallelism --reporter=default --reporter=json --outputFile.json=.test-results/e2e.json "$@" || status=$?
# the summary is JavaScript, in single quotes on purpose
# shellcheck disable=SC2016
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of [".test-results/unit.json", ".test-results/e2e.json"]) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests;
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
