#!/usr/bin/env bash
# npm run up: install, build the plugin (frontend + Go backend), build (first time) and start Loki,
# the Collector and Grafana, then send demo traffic until Ctrl-C.
# `npm run stack:stop` stops the servers afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# nginx, the gateway in front of Loki, is a Debian package (installed when allowed; otherwise one line says how).
bash scripts/system-deps.sh nginx-light
npm run build
node scripts/stack/stack.mjs start
exec node --import tsx scripts/demo/demo.mjs "$@"
