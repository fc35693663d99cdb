#!/usr/bin/env bash
# npm run up: install, build the plugin, build (first time) and start Loki + the Collector
# (+ Grafana when a grafana binary is present), then send demo traffic until Ctrl-C.
# `npm run stack:stop` stops the servers afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
if command -v mage >/dev/null 2>&1; then
  mage -v build:linux
fi
node scripts/stack/stack.mjs start
exec node --import tsx scripts/demo/demo.mjs "$@"
