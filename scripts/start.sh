#!/usr/bin/env bash
# Sets up what is missing, starts Kafka on loopback, and runs the Inlet worker in the foreground
# with the example pipeline: webhook source "orders" -> topic "orders" -> SQLite table "orders".
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
bash scripts/kafka.sh start
export INLET_PORT="${INLET_PORT:-8083}" KAFKA_BROKERS="${KAFKA_BROKERS:-$(bash scripts/kafka.sh bootstrap)}"
export INLET_DB_URL="${INLET_DB_URL:-sqlite:data/inlet.db}" INLET_CONFIG="${INLET_CONFIG:-config/connectors.json}"
cat <<MSG

Inlet is starting on http://127.0.0.1:$INLET_PORT (connectors: $INLET_CONFIG, database: $INLET_DB_URL)
  POST events:  curl -s localhost:$INLET_PORT/ingest/orders -H 'Idempotency-Key: order-1' \\
                  -d '[{"id": 1, "amount": 12.5}, {"id": 2, "amount": 3}]'
  See the rows: sqlite3 ${INLET_DB_URL#sqlite:} 'SELECT * FROM orders'
  Status:       curl -s localhost:$INLET_PORT/connectors/orders-sink/status
Stop with Ctrl-C (Kafka keeps running; 'bash scripts/kafka.sh stop' stops it).

MSG
exec node dist/main.js
