#!/usr/bin/env bash
# The test command (`npm test`): every suite with workers on Node, and, at the same time, with
# workers on Bun (`bun src/main.ts`: librdkafka over FFI, Bun.serve), every end-to-end suite that
# starts a worker. Both runs exist because the worker runs on both runtimes, each with its own
# Kafka backend and HTTP server (issue 14). The suites that start no worker (unit, the FFI backend,
# the stores, the container, and the harness suites that run each runtime themselves) do not read
# INLET_TEST_RUNTIME, so they run once.
# The two runs go side by side: each spends most of its time waiting on brokers, databases and
# workers (about 45% of two cores busy when run alone), each starts its own brokers and databases
# on free ports in temporary folders, and one after the other they would not fit CI's 25 minutes.
# The Node run prints as it goes; the Bun run's output follows once both have ended.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

if [[ $# -gt 0 ]]; then
  exec npx --no-install bun test --timeout 120000 "$@"
fi

# One bundle for both runs (dist/main.js for Node workers, dist/cli.js), built before either starts.
npm run --silent build >/dev/null
export INLET_TEST_PREBUILT=1

mapfile -t worker_suites < <(grep -l 'support/worker\.ts' test/e2e/*.test.ts)
bun_log=$(mktemp)
INLET_TEST_RUNTIME=bun npx --no-install bun test --timeout 120000 "${worker_suites[@]}" >"$bun_log" 2>&1 &
bun_run=$!

node_status=0
npx --no-install bun test --timeout 120000 || node_status=$?
bun_status=0
wait "$bun_run" || bun_status=$?

echo "workers on Bun:"
cat "$bun_log"
rm -f "$bun_log"
(( node_status == 0 && bun_status == 0 ))
