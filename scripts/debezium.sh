#!/usr/bin/env bash
# Debezium Server (a real CDC emitter) for Inlet's tests and local trials: the distribution from
# Maven Central (io.debezium:debezium-server-dist, tar.gz), unpacked once into the cache.
#
#   scripts/debezium.sh fetch       download and unpack into the cache (no-op if present)
#   scripts/debezium.sh java        print the Java it runs with (Debezium Server 3 needs 21+)
#   scripts/debezium.sh start DIR   run a server whose config is DIR/config/application.properties;
#                                   DIR holds its pid file, log and offsets; waits until it is up
#   scripts/debezium.sh stop DIR    SIGTERM, wait up to DEBEZIUM_STOP_TIMEOUT s, then SIGKILL
#
# Environment:
#   INLET_CACHE_DIR         cache root                        (default <repo>/.cache)
#   DEBEZIUM_JAVA           java binary to use                (default: the newest Java 21+ found in
#                                                             JAVA_HOME, on PATH or under /usr/lib/jvm)
#   DEBEZIUM_START_TIMEOUT  seconds to wait for start-up      (default 90)
#   DEBEZIUM_STOP_TIMEOUT   seconds to wait after SIGTERM     (default 20)
#   DEBEZIUM_HEAP_OPTS      heap                              (default -Xms64m -Xmx512m)
set -euo pipefail

readonly DEBEZIUM_VERSION=3.0.0.Final
readonly MIN_JAVA=21
# Pinned so `mvn dependency:copy` behaves the same on any Maven 3.x.
readonly DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
CACHE_DIR=$(realpath -m "${INLET_CACHE_DIR:-$REPO_ROOT/.cache}")
HOME_DIR="$CACHE_DIR/debezium-server-$DEBEZIUM_VERSION"
MARKER="$HOME_DIR/.fetched"
FETCH_LOG="$CACHE_DIR/debezium-fetch.log"
START_TIMEOUT="${DEBEZIUM_START_TIMEOUT:-90}"
STOP_TIMEOUT="${DEBEZIUM_STOP_TIMEOUT:-20}"

say() { printf 'debezium: %s\n' "$*"; }
die() { printf 'debezium: %s\n' "$*" >&2; exit 1; }

java_major() {
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v%%.*}
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

# Debezium Server 3.x is built for Java 21 (class files version 65); Debian 12 ships 17, so look
# beside it for a newer JDK (the Temurin one under /usr/lib/jvm on this project's machines).
find_java() {
  local candidates=() c best="" best_major=0 major
  [[ -n "${DEBEZIUM_JAVA:-}" ]] && { echo "$DEBEZIUM_JAVA"; return 0; }
  [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for c in /usr/lib/jvm/*/bin/java; do [[ -x "$c" ]] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    major=$(java_major "$c")
    if (( major >= MIN_JAVA && major > best_major )); then best=$c; best_major=$major; fi
  done
  [[ -n "$best" ]] || die "Debezium Server $DEBEZIUM_VERSION needs Java $MIN_JAVA+; none found (checked JAVA_HOME, PATH, /usr/lib/jvm; set DEBEZIUM_JAVA)"
  echo "$best"
}

cmd_fetch() {
  [[ -f "$MARKER" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven fetches Debezium Server (apt-get install maven)"
  mkdir -p "$CACHE_DIR"
  exec 8>"$CACHE_DIR/.debezium-fetch.lock"
  flock -w 900 8 || die "timed out waiting for another fetch to finish"
  if [[ -f "$MARKER" ]]; then exec 8>&-; return 0; fi

  say "fetching Debezium Server $DEBEZIUM_VERSION from Maven Central (about 460 MB; log: $FETCH_LOG)"
  local t0=$SECONDS tmp="$CACHE_DIR/debezium.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -Dstyle.color=never "$DEPENDENCY_PLUGIN:copy" \
        -Dartifact="io.debezium:debezium-server-dist:$DEBEZIUM_VERSION:tar.gz" \
        -DoutputDirectory="$tmp" >"$FETCH_LOG" 2>&1; then
    rm -rf "$tmp"
    exec 8>&-
    tail -n 20 "$FETCH_LOG" >&2 || true
    die "fetch FAILED (mvn dependency:copy; full log: $FETCH_LOG)"
  fi
  # Only the PostgreSQL path is used: leave out the Cassandra connectors and the scripting jars.
  tar -xzf "$tmp/debezium-server-dist-$DEBEZIUM_VERSION.tar.gz" -C "$tmp" \
    --exclude='debezium-server/connectors' --exclude='debezium-server/lib_opt' \
    || { rm -rf "$tmp"; exec 8>&-; die "unpacking the distribution failed"; }
  rm -rf "$HOME_DIR"
  mv "$tmp/debezium-server" "$HOME_DIR"
  rm -rf "$tmp"
  # The copy Maven keeps in its local repository is not needed again.
  rm -rf "${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}/io/debezium/debezium-server-dist/$DEBEZIUM_VERSION"
  echo "$DEBEZIUM_VERSION" >"$MARKER"
  exec 8>&-
  say "fetched into $HOME_DIR ($(du -sh "$HOME_DIR" | cut -f1)) in $((SECONDS - t0))s"
}

live_pid() {
  local dir=$1 pid
  [[ -f "$dir/debezium.pid" ]] || return 1
  pid=$(tr -dc '0-9' <"$dir/debezium.pid")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: it must be a Debezium Server started for this dir
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "io.debezium.server.Main" || return 1
  echo "$pid"
}

cmd_start() {
  local dir=${1:-}
  [[ -n "$dir" && -f "$dir/config/application.properties" ]] || die "usage: debezium.sh start DIR (DIR/config/application.properties must exist)"
  dir=$(realpath "$dir")
  if live_pid "$dir" >/dev/null; then say "already running for $dir"; return 0; fi
  cmd_fetch
  local java runner
  java=$(find_java)
  runner=$(ls "$HOME_DIR"/debezium-server-dist-*-runner.jar)
  local log="$dir/debezium.log"
  # Quarkus reads config/application.properties from the working directory, so each server runs
  # in its own DIR against the shared, read-only distribution.
  # (cd here, not in a subshell: a subshell would wait for the server while holding our stdout.)
  cd "$dir"
  # shellcheck disable=SC2086  # word splitting of the heap options is intended
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/debezium.pid" \
    "$java" ${DEBEZIUM_HEAP_OPTS:--Xms64m -Xmx512m} -XX:+UseSerialGC -Djava.awt.headless=true \
    -cp "$runner:$HOME_DIR/config/lib:$HOME_DIR/lib/*" io.debezium.server.Main \
    >"$log" 2>&1 </dev/null 8>&- &
  local pid="" i
  for i in $(seq 1 50); do
    [[ -s "$dir/debezium.pid" ]] && break
    sleep 0.1
  done
  pid=$(tr -dc '0-9' <"$dir/debezium.pid" 2>/dev/null || true)
  [[ -n "$pid" ]] || die "did not start (log: $log)"
  say "started pid $pid with $java, waiting up to ${START_TIMEOUT}s (log: $log)"
  local t0=$SECONDS
  until grep -q 'started in' "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log" >&2 || true
      rm -f "$dir/debezium.pid"
      die "exited during start-up"
    fi
    if (( SECONDS - t0 >= START_TIMEOUT )); then
      tail -n 40 "$log" >&2 || true
      cmd_stop "$dir" >&2
      die "not up after ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  say "up (pid $pid, $((SECONDS - t0))s)"
}

cmd_stop() {
  local dir=${1:-} pid
  [[ -n "$dir" ]] || die "usage: debezium.sh stop DIR"
  dir=$(realpath -m "$dir")
  if ! pid=$(live_pid "$dir"); then
    rm -f "$dir/debezium.pid"
    say "not running for $dir"
    return 0
  fi
  say "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    say "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$dir/debezium.pid"
  say "stopped"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch) cmd_fetch; say "Debezium Server $DEBEZIUM_VERSION in $HOME_DIR" ;;
    java) find_java ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
