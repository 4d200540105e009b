#!/usr/bin/env bash
# Sets up what is missing, starts Kafka on loopback, and runs the Inlet worker in the foreground
# with the example pipeline: webhook source "orders" -> topic "orders" -> SQLite table "orders".
# The worker runs on Bun (src/main.ts as it is, the Bun from the npm install: librdkafka over FFI,
# Bun.serve, bun:sqlite); INLET_RUNTIME=node runs it on Node instead, from the bundle dist/main.js
# (the @confluentinc/kafka-javascript addon, node:http, better-sqlite3).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
runtime="${INLET_RUNTIME:-bun}"
case "$runtime" in
  bun | node) ;;
  *) echo "start: INLET_RUNTIME must be bun or node, not \"$runtime\"" >&2; exit 2 ;;
esac
bash scripts/setup.sh
if [[ $runtime == node ]]; then
  # Node runs the bundle (the worker and the CLI); Bun runs the sources with no build step.
  npm run --silent build >/dev/null
  worker=(node dist/main.js)
else
  worker=(node_modules/.bin/bun src/main.ts)
fi
bash scripts/kafka.sh start
export INLET_PORT="${INLET_PORT:-8083}" KAFKA_BROKERS="${KAFKA_BROKERS:-$(bash scripts/kafka.sh bootstrap)}"
export INLET_DB_URL="${INLET_DB_URL:-sqlite:data/inlet.db}" INLET_CONFIG="${INLET_CONFIG:-config/connectors.json}"
cat <<MSG

Inlet is starting on http://127.0.0.1:$INLET_PORT on $runtime (connectors: $INLET_CONFIG, database: $INLET_DB_URL)
  POST events:  curl -s localhost:$INLET_PORT/ingest/orders -H 'Idempotency-Key: order-1' \\
                  -d '[{"id": 1, "amount": 12.5}, {"id": 2, "amount": 3}]'
  See the rows: sqlite3 ${INLET_DB_URL#sqlite:} 'SELECT * FROM orders'
  Status:       curl -s localhost:$INLET_PORT/connectors/orders-sink/status
Stop with Ctrl-C (Kafka keeps running; 'bash scripts/kafka.sh stop' stops it).

MSG
exec "${worker[@]}"
