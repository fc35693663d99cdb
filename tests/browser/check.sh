#!/usr/bin/env bash
# The browser suite of `npm test`: records demo traffic into a fresh tenant through the real
# Collector, then runs the browser check (run.mjs) against that tenant in the real Loki.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tenant="browser-$(date +%s)-$RANDOM"
ATTEST_OTLP_URL="${ATTEST_OTLP_URL:-http://127.0.0.1:4318}" \
  node --import tsx scripts/demo/demo.mjs --backfill 500 --backfill-days 7 --duration 3 --rate 5 --tenants "$tenant"
sleep 3
TENANT="$tenant" LOKI_URL="${ATTEST_LOKI_URL:-http://127.0.0.1:3100}" node tests/browser/run.mjs
