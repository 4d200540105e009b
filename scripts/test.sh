#!/usr/bin/env bash
# The test command (`npm test`): every suite with workers on Node, then the end-to-end suites that
# already pass with workers on Bun (`bun src/main.ts`, librdkafka over FFI). The Bun list grows
# until it is every suite (issue 14); each entry passed a full sweep under INLET_TEST_RUNTIME=bun.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
npx --no-install bun test --timeout 120000 "$@"

BUN_WORKER_SUITES=(
  test/e2e/connect-rest.test.ts
  test/e2e/kafka-outage.test.ts
  test/e2e/exactly-once.test.ts
  test/e2e/exactly-once-source.test.ts
  test/e2e/drain.test.ts
  test/e2e/dead-letter.test.ts
  test/e2e/sink-late-topic.test.ts
  test/e2e/cluster-failover.test.ts
  test/e2e/signed-sources.test.ts
  test/e2e/structured-logs.test.ts
  test/e2e/trace-context.test.ts
  test/e2e/cli.test.ts
  test/e2e/console.test.ts
)
if [[ $# -eq 0 ]]; then
  echo "workers on Bun:"
  INLET_TEST_RUNTIME=bun npx --no-install bun test --timeout 120000 "${BUN_WORKER_SUITES[@]}"
fi
