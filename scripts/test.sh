#!/usr/bin/env bash
# The test command (`npm test`): every suite with workers on Node, then again, with workers on Bun
# (`bun src/main.ts`: librdkafka over FFI, Bun.serve), every end-to-end suite that starts a worker.
# Both runs exist because the worker runs on both runtimes, each with its own Kafka backend and
# HTTP server (issue 14). The suites that start no worker (unit, the FFI backend, the stores, the
# container, and the harness suites that run each runtime themselves) do not read
# INLET_TEST_RUNTIME, so they run once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
npx --no-install bun test --timeout 120000 "$@"

if [[ $# -eq 0 ]]; then
  mapfile -t worker_suites < <(grep -l 'support/worker\.ts' test/e2e/*.test.ts)
  echo "workers on Bun:"
  INLET_TEST_RUNTIME=bun npx --no-install bun test --timeout 120000 "${worker_suites[@]}"
fi
