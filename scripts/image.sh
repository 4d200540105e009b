#!/usr/bin/env bash
# Builds the Inlet container image on this kind of machine, where no image registry can be reached:
# a Debian bookworm base made with debootstrap (cached as a tarball under .cache, imported into
# podman once), then the Dockerfile on it. Elsewhere, `docker build .` does the same from a public
# Debian image. See README.md, "Deploy".
#   scripts/image.sh          base if missing, then build localhost/inlet:dev
#   scripts/image.sh base     only the base image
#   scripts/image.sh podman ARGS...   podman with this machine's settings (run, images, rm, …)
# INLET_IMAGE names the image (localhost/inlet:dev).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CACHE="${INLET_CACHE_DIR:-$ROOT/.cache}"
IMAGE="${INLET_IMAGE:-localhost/inlet:dev}"
BASE=localhost/debian-base:bookworm
say() { printf 'image: %s\n' "$*" >&2; }

# podman in this sandbox: no default ulimits (runc may not raise RLIMIT_NOFILE here), runc with
# cgroupfs (crun refuses the hybrid cgroup layout), host networking (no bridge/CNI).
conf="$CACHE/containers.conf"
mkdir -p "$CACHE"
[[ -f $conf ]] || printf '[containers]\ndefault_ulimits = []\n' >"$conf"
export CONTAINERS_CONF="$conf"
pod() { podman --runtime runc --cgroup-manager cgroupfs "$@"; }

need() {
  local missing=() tool
  for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman runc debootstrap >"$CACHE/image-apt.log" 2>&1 \
      || { tail -20 "$CACHE/image-apt.log"; exit 1; }
  fi
}

base() {
  pod image exists "$BASE" && return
  local tarball="$CACHE/debian-base-bookworm.tar"
  if [[ ! -f $tarball ]]; then
    # The mirror apt already uses, so the base gets what this machine can reach.
    local mirror rootfs
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    rootfs=$(mktemp -d)
    say "debootstrap bookworm (minbase) from ${mirror:-deb.debian.org}"
    debootstrap --variant=minbase bookworm "$rootfs" "${mirror:-http://deb.debian.org/debian}" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/debootstrap.log"; rm -rf "$rootfs"; exit 1; }
    # The security suite too, as the public debian:bookworm image has it.
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
      rm -f "$rootfs/etc/apt/sources.list"
      cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
  fi
  say "importing $tarball as $BASE"
  pod import "$tarball" "$BASE" >/dev/null
}

build() {
  local started args=()
  started=$(date +%s)
  # The build stage runs npm with the Node the machine runs, when there is one (the image itself runs Bun).
  NODE_VERSION="${NODE_VERSION:-$(node -v 2>/dev/null | sed 's/^v//' || true)}"
  # This sandbox reaches the registries through a proxy with its own CA: hand the machine's CA
  # bundle to the build as a secret (mounted for the RUN steps that fetch, never stored in a layer).
  [[ -f /etc/ssl/certs/ca-certificates.crt ]] && args+=(--secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt)
  say "building $IMAGE on $BASE (Node ${NODE_VERSION:-as the Dockerfile pins})"
  pod build --network host --layers --format docker "${args[@]}" \
    --build-arg BASE="$BASE" \
    ${NODE_VERSION:+--build-arg NODE_VERSION="$NODE_VERSION"} \
    -t "$IMAGE" -f Dockerfile .
  say "built $IMAGE in $(( $(date +%s) - started )) s"
}

case "${1:-build}" in
  base) need; base ;;
  build) need; base; build ;;
  podman) shift; pod "$@" ;;
  *) echo "usage: scripts/image.sh [build|base|podman ARGS...]" >&2; exit 2 ;;
esac
