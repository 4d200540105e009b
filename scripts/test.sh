#!/usr/bin/env bash
# The test command (`npm test`): every suite with workers on Node, and, at the same time, with
# workers on Bun (`bun src/main.ts`: librdkafka over FFI, Bun.serve), every end-to-end suite that
# starts a worker, and with workers on Deno (`deno run src/main.ts`: librdkafka over FFI through
# Deno.dlopen, Deno.serve, node:sqlite) the end-to-end core: ingest for every source type, sinks
# into PostgreSQL and SQLite, SIGKILL and restart, SIGTERM's drain, a Kafka outage, and the REST
# API (issues 14 and 15). The suites that start no worker (unit, the FFI backend, the stores, the
# container, and the harness suites that run each runtime themselves) do not read
# INLET_TEST_RUNTIME, so they run once.
# The runs go side by side: each spends most of its time waiting on brokers, databases and workers
# (about 45% of two cores busy when run alone), each starts its own brokers and databases on free
# ports in temporary folders, and one after the other they would not fit CI's 25 minutes.
# The Node run prints as it goes; the Bun and Deno runs' output follows once all have ended.
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

# The end-to-end core on Deno (issue 15): webhook, Stripe, GitHub and Standard Webhooks ingest
# (exactly-once, signed-sources), Debezium ingest (cdc-history), both sinks, SIGKILL with
# restarts (exactly-once-sigkill), the drain, Kafka going away, REST create to delete, the
# runtime's own server and SQLite driver (runtime-server), and back-pressure (429s, and the 408 a
# slow sender gets: Deno.serve does not then cut it off, see src/serve/deno.ts).
deno_suites=(
  test/e2e/signed-sources.test.ts
  test/e2e/cdc-history.test.ts
  test/e2e/exactly-once.test.ts
  test/e2e/exactly-once-sigkill.test.ts
  test/e2e/drain.test.ts
  test/e2e/kafka-outage.test.ts
  test/e2e/connect-rest.test.ts
  test/e2e/runtime-server.test.ts
  test/e2e/backpressure.test.ts
)
deno_log=$(mktemp)
INLET_TEST_RUNTIME=deno npx --no-install bun test --timeout 120000 "${deno_suites[@]}" >"$deno_log" 2>&1 &
deno_run=$!

node_status=0
npx --no-install bun test --timeout 120000 || node_status=$?
bun_status=0
wait "$bun_run" || bun_status=$?
deno_status=0
wait "$deno_run" || deno_status=$?

echo "workers on Bun:"
cat "$bun_log"
echo "workers on Deno:"
cat "$deno_log"
rm -f "$bun_log" "$deno_log"
(( node_status == 0 && bun_status == 0 && deno_status == 0 ))
