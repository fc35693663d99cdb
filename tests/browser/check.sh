#!/usr/bin/env bash
# The browser suite of `npm test`: records demo traffic into org 1's tenant through the real Collector,
# then runs the browser check (run.mjs): the pages in Chromium, the real Grafana, the plugin backend, Loki.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tenant="${ATTEST_TENANT:-acme}"
ATTEST_OTLP_URL="${ATTEST_OTLP_URL:-http://127.0.0.1:4318}" \
  node --import tsx scripts/demo/demo.mjs --backfill 500 --backfill-days 7 --duration 3 --rate 5 --tenants "$tenant"
sleep 3
TENANT="$tenant" LOKI_URL="${ATTEST_LOKI_URL:-http://127.0.0.1:3100}" node --import tsx tests/browser/run.mjs
