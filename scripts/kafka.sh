#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) for
# Inlet's development and tests. No Docker, no tarball download: the jars come
# from Maven Central through scripts/kafka/pom.xml.
#
#   scripts/kafka.sh fetch      resolve the Kafka jars into the cache (no-op if present)
#   scripts/kafka.sh start      fetch if needed, format storage once, start, wait until ready
#   scripts/kafka.sh stop       SIGTERM, wait up to KAFKA_STOP_TIMEOUT s, then SIGKILL
#   scripts/kafka.sh status     exit 0 if running and answering, 1 otherwise
#   scripts/kafka.sh bootstrap  print the bootstrap address (127.0.0.1:$KAFKA_PORT)
#   scripts/kafka.sh run CLASS [ARGS...]
#                               run a Kafka CLI class from the same jars, e.g.
#                               run org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#
# Environment:
#   KAFKA_PORT             PLAINTEXT listener port             (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port      (default 9093)
#   INLET_CACHE_DIR        cache root                          (default <repo>/.cache)
#   KAFKA_DATA_DIR         data dir: server.properties, logs/, kafka.log, kafka.pid
#                                                              (default $INLET_CACHE_DIR/kafka-data-$KAFKA_PORT)
#   KAFKA_START_TIMEOUT    seconds to wait for readiness       (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM       (default 30)
#   KAFKA_HEAP_OPTS        broker heap                         (default -Xms256m -Xmx512m)
#   KAFKA_JVM_OPTS         extra broker JVM options            (default empty)
#   JAVA_HOME / JAVA       Java 17+ to use                     (default java on PATH)
set -euo pipefail

readonly KAFKA_VERSION=4.3.1
readonly NODE_ID=1

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
KAFKA_CONF_DIR="$SCRIPT_DIR/kafka"
POM="$KAFKA_CONF_DIR/pom.xml"

CACHE_DIR=$(realpath -m "${INLET_CACHE_DIR:-$REPO_ROOT/.cache}")
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS_DIR="$KAFKA_HOME/libs"
MARKER="$LIBS_DIR/.fetched"
FETCH_LOG="$KAFKA_HOME/fetch.log"

PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA_DIR=$(realpath -m "${KAFKA_DATA_DIR:-$CACHE_DIR/kafka-data-$PORT}")
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HOST=127.0.0.1

PID_FILE="$DATA_DIR/kafka.pid"
LOG_FILE="$DATA_DIR/kafka.log"
PROPS_FILE="$DATA_DIR/server.properties"
CLUSTER_ID_FILE="$DATA_DIR/cluster.id"
LOG_DIRS="$DATA_DIR/logs"

if [[ -n "${JAVA:-}" ]]; then
  :
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA=java
fi

say() { printf 'kafka: %s\n' "$*"; }
die() { printf 'kafka: %s\n' "$*" >&2; exit 1; }

check_port_var() {
  local name=$1 value=$2
  [[ "$value" =~ ^[0-9]+$ ]] && (( value > 0 && value < 65536 )) || die "$name must be a TCP port, got '$value'"
}

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Kafka $KAFKA_VERSION needs Java 17+; set JAVA_HOME)"
  local v
  v=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v%%.*}
  [[ "$v" =~ ^[0-9]+$ ]] && (( v >= 17 )) || die "Kafka $KAFKA_VERSION needs Java 17+, $JAVA is '${v:-unknown}'"
}

# ---------------------------------------------------------------- fetch --

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

is_fetched() { [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$(pom_hash)" ]]; }

cmd_fetch() {
  is_fetched && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven resolves the Kafka jars (apt-get install maven)"
  mkdir -p "$KAFKA_HOME"
  # one fetch at a time per cache (two `start`s on different ports may race)
  exec 8>"$KAFKA_HOME/.fetch.lock"
  flock -w 600 8 || die "timed out waiting for another fetch to finish"
  if is_fetched; then exec 8>&-; return 0; fi

  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (log: $FETCH_LOG)"
  local t0=$SECONDS tmp="$KAFKA_HOME/libs.tmp.$$"
  rm -rf "$tmp"
  if ! mvn -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime >"$FETCH_LOG" 2>&1; then
    rm -rf "$tmp"
    exec 8>&-
    tail -n 20 "$FETCH_LOG" >&2 || true
    die "fetch FAILED (mvn dependency:copy-dependencies; full log: $FETCH_LOG)"
  fi
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || { exec 8>&-; die "fetch FAILED: kafka_2.13-$KAFKA_VERSION.jar missing in $tmp"; }
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  pom_hash >"$MARKER"
  exec 8>&-
  say "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIBS_DIR" | cut -f1)) into $LIBS_DIR in $((SECONDS - t0))s"
}

# ------------------------------------------------------------- helpers --

# Java for the short-lived CLI tools: small heap, fast startup.
run_tool() {
  local main=$1; shift
  "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/tools-log4j2.properties" \
    -cp "$LIBS_DIR/*" "$main" "$@"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# pid of our broker if the pid file points to a live kafka.Kafka process
live_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid=$(tr -dc '0-9' <"$PID_FILE")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: it must be a Kafka broker using this data dir
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $PROPS_FILE" || return 1
  echo "$pid"
}

clean_stale_pid() {
  if [[ -f "$PID_FILE" ]] && ! live_pid >/dev/null; then
    say "removing stale pid file $PID_FILE"
    rm -f "$PID_FILE"
  fi
}

# Real readiness: a Metadata round trip through the admin client.
metadata_ok() {
  local cfg="$DATA_DIR/probe.properties"
  printf 'request.timeout.ms=3000\ndefault.api.timeout.ms=5000\n' >"$cfg"
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" \
    --command-config "$cfg" --list >/dev/null 2>&1
}

write_server_properties() {
  cat >"$PROPS_FILE" <<EOF
# Written by scripts/kafka.sh on every start; edits are overwritten.
# Single-node KRaft test broker (combined broker + controller).
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$NODE_ID@$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT

log.dirs=$LOG_DIRS
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
unclean.leader.election.enable=true

offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# small machine: fewer threads
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF
}

format_storage_once() {
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    return 0
  fi
  local cid
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cid=$(cat "$CLUSTER_ID_FILE")
  else
    cid=$(run_tool kafka.tools.StorageTool random-uuid) || die "could not generate a cluster id"
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  say "formatting storage in $LOG_DIRS (cluster id $cid)"
  local out
  # static quorum (controller.quorum.voters), so no --standalone: the
  # controller port can change between runs without touching the log.
  if ! out=$(run_tool kafka.tools.StorageTool format -t "$cid" -c "$PROPS_FILE" 2>&1); then
    printf '%s\n' "$out" >&2
    die "storage format failed"
  fi
}

# --------------------------------------------------------------- start --

cmd_start() {
  check_port_var KAFKA_PORT "$PORT"
  check_port_var KAFKA_CONTROLLER_PORT "$CONTROLLER_PORT"
  [[ "$PORT" != "$CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  require_java
  mkdir -p "$DATA_DIR"

  # serialise concurrent starts on the same data dir
  exec 9>"$DATA_DIR/.start.lock"
  flock -w "$((START_TIMEOUT + 30))" 9 || die "another 'kafka.sh start' holds $DATA_DIR/.start.lock"

  local pid
  if pid=$(live_pid); then
    if port_open "$PORT"; then
      say "already running on $HOST:$PORT (pid $pid)"
      return 0
    fi
    say "pid $pid is alive but $HOST:$PORT does not answer yet; waiting"
  else
    clean_stale_pid
    pid=""
  fi

  if [[ -z "$pid" ]]; then
    port_open "$PORT" && die "port $HOST:$PORT is in use by another process (set KAFKA_PORT)"
    port_open "$CONTROLLER_PORT" && die "port $HOST:$CONTROLLER_PORT is in use by another process (set KAFKA_CONTROLLER_PORT)"

    cmd_fetch
    write_server_properties
    format_storage_once

    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
    local heap=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
    # shellcheck disable=SC2086  # word splitting of the option strings is intended
    nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
      "$JAVA" $heap \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/log4j2.properties" \
      ${KAFKA_JVM_OPTS:-} \
      -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS_FILE" \
      >"$LOG_FILE" 2>&1 </dev/null 9>&- 8>&- &
    local launcher=$!
    local i
    for i in $(seq 1 50); do
      [[ -s "$PID_FILE" ]] && break
      sleep 0.1
    done
    pid=$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)
    [[ -n "$pid" ]] || pid=$launcher
    say "started pid $pid, waiting up to ${START_TIMEOUT}s (log: $LOG_FILE)"
  fi

  local t0=$SECONDS
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "broker exited during startup; last lines of $LOG_FILE:" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if port_open "$PORT" && metadata_ok; then
      break
    fi
    if (( SECONDS - t0 >= START_TIMEOUT )); then
      say "not ready after ${START_TIMEOUT}s; last lines of $LOG_FILE:" >&2
      tail -n 40 "$LOG_FILE" >&2 || true
      exec 9>&-
      cmd_stop >&2
      exit 1
    fi
    sleep 0.5
  done
  say "ready on $HOST:$PORT (pid $pid, $((SECONDS - t0))s)"
}

# ---------------------------------------------------------------- stop --

cmd_stop() {
  local pid
  if ! pid=$(live_pid); then
    clean_stale_pid
    say "not running ($HOST:$PORT)"
    return 0
  fi
  say "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  say "stopped"
}

# -------------------------------------------------------------- status --

cmd_status() {
  local pid
  if pid=$(live_pid); then
    if port_open "$PORT"; then
      say "running on $HOST:$PORT (pid $pid, data $DATA_DIR)"
      return 0
    fi
    say "pid $pid alive but $HOST:$PORT not answering"
    return 1
  fi
  say "not running ($HOST:$PORT)"
  return 1
}

# ----------------------------------------------------------------- run --

cmd_run() {
  (( $# >= 1 )) || die "usage: kafka.sh run <main-class> [args...]"
  require_java
  cmd_fetch >&2   # keep the tool's stdout clean
  run_tool "$@"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch)     require_java; cmd_fetch; say "jars in $LIBS_DIR" ;;
    start)     cmd_start ;;
    stop)      cmd_stop ;;
    status)    cmd_status ;;
    bootstrap) echo "$HOST:$PORT" ;;
    run)       cmd_run "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
