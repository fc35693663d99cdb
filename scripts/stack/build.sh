#!/usr/bin/env bash
# Builds Grafana Loki, the Attest OpenTelemetry Collector and the Grafana server from their
# Go modules, caching each binary outside the repo under a key made of its version, so a
# second run does nothing. Prints the binary paths (and Grafana's home directory).
#
#   ATTEST_CACHE   cache root (default ~/.cache/attest)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${ATTEST_CACHE:-$HOME/.cache/attest}"
bin="$cache/bin"
mkdir -p "$bin"

log() { echo "[stack:build] $*" >&2; }

loki_bin="$bin/loki-$LOKI_VERSION"
# The Collector holds our own components (collector/attestredaction, collector/attestauth): their
# sources and the manifest are part of the key, so a change to any rebuilds it.
repo="$(cd "$here/../.." && pwd)"
otelcol_key=$(cat "$here/collector/manifest.yaml" $(find "$repo/collector" -name '*.go' -o -name go.mod | sort) |
  sha256sum | cut -c1-10)
otelcol_bin="$bin/otelcol-attest-$OTELCOL_VERSION-$otelcol_key"
grafana_bin="$bin/grafana-$GRAFANA_VERSION-$GRAFANA_COMMIT"
versitygw_bin="$bin/versitygw-$VERSITYGW_VERSION"
# Grafana's home (conf/defaults.ini, public/): the writable copy of its module, kept beside the binary.
grafana_home="$cache/src/grafana-$GRAFANA_MODULE_VERSION"

build_loki() {
  [ -x "$loki_bin" ] && return 0
  if ! grep -q "github.com/grafana/loki/v3 $LOKI_VERSION\b" "$here/loki/go.mod"; then
    log "loki/go.mod does not require Loki $LOKI_VERSION: run scripts/stack/update-loki.sh and commit its result"
    exit 1
  fi
  log "building Loki $LOKI_VERSION from its Go module (first time only; several minutes)"
  local start=$SECONDS work="$cache/build/loki-$LOKI_VERSION"
  rm -rf "$work" && mkdir -p "$work"
  cp "$here/loki/go.mod" "$here/loki/go.sum" "$work/"
  (cd "$work" && CGO_ENABLED=0 go build -tags netgo -trimpath -o "$loki_bin.tmp" github.com/grafana/loki/v3/cmd/loki)
  mv "$loki_bin.tmp" "$loki_bin"
  log "Loki built in $((SECONDS - start)) s -> $loki_bin"
}

build_otelcol() {
  [ -x "$otelcol_bin" ] && return 0
  log "building the Collector $OTELCOL_VERSION with ocb (first time only; several minutes)"
  local start=$SECONDS work="$cache/build/otelcol-$OTELCOL_VERSION"
  local builder_dir="$cache/tools/builder-$OTELCOL_VERSION"
  if [ ! -x "$builder_dir/builder" ]; then
    GOBIN="$builder_dir" go install "go.opentelemetry.io/collector/cmd/builder@$OTELCOL_VERSION"
  fi
  rm -rf "$work" && mkdir -p "$work"
  sed -e "s|\${OTELCOL_VERSION}|$OTELCOL_VERSION|g" \
      -e "s|\${OTELCOL_STABLE_VERSION}|$OTELCOL_STABLE_VERSION|g" \
      -e "s|\${OUTPUT_PATH}|$work/dist|g" \
      -e "s|\${REPO}|$repo|g" \
      "$here/collector/manifest.yaml" > "$work/manifest.yaml"
  CGO_ENABLED=0 "$builder_dir/builder" --config="$work/manifest.yaml" >&2
  mv "$work/dist/otelcol-attest" "$otelcol_bin"
  log "Collector built in $((SECONDS - start)) s -> $otelcol_bin"
}

build_grafana() {
  [ -x "$grafana_bin" ] && [ -f "$grafana_home/conf/defaults.ini" ] && return 0
  log "building Grafana $GRAFANA_VERSION from its Go module (first time only; ~12 minutes)"
  local start=$SECONDS mod_dir
  mod_dir=$(go mod download -json "github.com/grafana/grafana@$GRAFANA_MODULE_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ -z "$mod_dir" ] || [ ! -d "$mod_dir" ]; then
    log "the Go module proxy did not serve github.com/grafana/grafana@$GRAFANA_MODULE_VERSION"
    exit 1
  fi
  # The module cache is read-only and the module lacks its wire-generated file: generate it in a copy.
  rm -rf "$grafana_home.tmp" && mkdir -p "$(dirname "$grafana_home")"
  cp -r "$mod_dir" "$grafana_home.tmp" && chmod -R u+w "$grafana_home.tmp"
  local wire_dir="$cache/tools/wire-$GRAFANA_WIRE_VERSION"
  if [ ! -x "$wire_dir/wire" ]; then
    GOBIN="$wire_dir" go install "github.com/google/wire/cmd/wire@$GRAFANA_WIRE_VERSION"
  fi
  (cd "$grafana_home.tmp" && "$wire_dir/wire" gen -tags oss ./pkg/server >&2)
  (cd "$grafana_home.tmp" && CGO_ENABLED=1 go build -tags oss -trimpath \
    -ldflags "-X main.version=$GRAFANA_VERSION -X main.commit=$GRAFANA_COMMIT" \
    -o "$grafana_bin.tmp" ./pkg/cmd/grafana)
  rm -rf "$grafana_home" && mv "$grafana_home.tmp" "$grafana_home"
  mv "$grafana_bin.tmp" "$grafana_bin"
  log "Grafana built in $((SECONDS - start)) s -> $grafana_bin"
}

build_versitygw() {
  [ -x "$versitygw_bin" ] && return 0
  log "building versitygw $VERSITYGW_VERSION (S3-compatible server) from its Go module (first time only)"
  local start=$SECONDS work="$cache/build/versitygw-$VERSITYGW_VERSION"
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && CGO_ENABLED=0 GOBIN="$work" go install -trimpath "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION")
  mv "$work/versitygw" "$versitygw_bin"
  log "versitygw built in $((SECONDS - start)) s -> $versitygw_bin"
}

case "${1:-all}" in
  loki) build_loki ;;
  collector) build_otelcol ;;
  grafana) build_grafana ;;
  s3) build_versitygw ;;
  all) build_loki; build_otelcol; build_grafana; build_versitygw ;;
  *) echo "usage: build.sh [all|loki|collector|grafana|s3]" >&2; exit 2 ;;
esac
echo "LOKI_BIN=$loki_bin"
echo "OTELCOL_BIN=$otelcol_bin"
echo "GRAFANA_BIN=$grafana_bin"
echo "GRAFANA_HOME=$grafana_home"
echo "VERSITYGW_BIN=$versitygw_bin"
