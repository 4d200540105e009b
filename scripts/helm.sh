#!/usr/bin/env bash
# Helm for the chart in deploy/helm/inlet, built once from the Go module proxy into .cache (no
# release binaries can be downloaded here), then `helm lint` and `helm template` on the chart.
#   scripts/helm.sh           build helm if missing, lint the chart, render it with the defaults
#   scripts/helm.sh path      build helm if missing and print its path
#   scripts/helm.sh ARGS...   run helm with ARGS (e.g. template inlet deploy/helm/inlet --set hpa.enabled=true)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CACHE="${INLET_CACHE_DIR:-$ROOT/.cache}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
HELM="$CACHE/helm-$HELM_VERSION/helm"
CHART=deploy/helm/inlet

if [[ ! -x "$HELM" ]]; then
  command -v go >/dev/null || { echo "helm.sh: Go is needed to build helm (the machine's go, 1.24 or newer)" >&2; exit 1; }
  echo "helm.sh: building helm $HELM_VERSION with $(go version | cut -d' ' -f3) (once, into $HELM)" >&2
  mkdir -p "$(dirname "$HELM")"
  # The proxy serves helm's module; -trimpath and no VCS stamp keep the build the same anywhere.
  GOBIN="$(dirname "$HELM")" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi

case "${1:-check}" in
  path) echo "$HELM" ;;
  check)
    "$HELM" lint --strict "$CHART"
    "$HELM" lint --strict "$CHART" --set hpa.enabled=true
    "$HELM" template inlet "$CHART" >/dev/null
    "$HELM" template inlet "$CHART" --set hpa.enabled=true >/dev/null
    echo "helm.sh: $CHART lints and renders (helm $HELM_VERSION)"
    ;;
  *) exec "$HELM" "$@" ;;
esac
