#!/usr/bin/env bash
# The test command (`npm test`): three `bun test` runs side by side.
# - Workers on Bun (`bun src/main.ts`: librdkafka over FFI, Bun.serve, bun:sqlite), the default
#   runtime: every end-to-end suite that starts a worker.
# - Workers on Node (`node dist/main.js`: the librdkafka addon, node:http, better-sqlite3): the
#   suites that start no worker (unit, the FFI backend, the stores, the container, and the harness
#   suites that run each runtime themselves), and of those that do, the ones where Node's own parts
#   act (node_worker_suites below). The rest (REST, CLI, console, routing, transforms, edge) runs
#   the same runtime-neutral code on either runtime, and runs once, with the default.
# - Workers on Deno (`deno run src/main.ts`): the end-to-end core of issue 15.
# The runs go side by side: each spends most of its time waiting on brokers, databases and
# workers, each starts its own brokers and databases on free ports in temporary folders, and one
# after the other they would not fit CI's 25 minutes. The Node run prints as it goes; the Bun and
# Deno runs' output follows once all have ended.
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

# Suites whose workers lean on what differs on Node: the addon's producer, transactions, consumer
# group and admin (outages, failover, crashes, restores, the DLQ, trace headers, the metrics'
# queue depths and watermarks), node:http (deadlines, body bounds, the drain, listening at once)
# and better-sqlite3.
node_worker_suites=(
  backpressure bad-input hostile-input drain probes runtime-server structured-logs
  kafka-outage producer-queue-full exactly-once-source lost-commit-reply cluster-failover
  cluster-dedupe crash-recovery sink-stall source-restart trace-context dead-letter
  exactly-once exactly-once-sigkill db-restart debezium-server connect-rest metrics
)
node_suites=()
for suite in test/unit/*.test.ts test/e2e/*.test.ts; do
  name=$(basename "$suite" .test.ts)
  if [[ " ${worker_suites[*]} " != *" $suite "* || " ${node_worker_suites[*]} " == *" $name "* ]]; then
    node_suites+=("./$suite")
  fi
done
for name in "${node_worker_suites[@]}"; do
  [[ -f test/e2e/$name.test.ts ]] || { echo "scripts/test.sh: node_worker_suites names $name, which is not a suite" >&2; exit 1; }
done

node_status=0
npx --no-install bun test --timeout 120000 "${node_suites[@]}" || node_status=$?
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
