#!/usr/bin/env node
// npm run bench:ingest [-- --events 200000 --batch 1000 --concurrency 4]
//
// Pushes N generated audit events (a) through the Collector into Loki and (b) straight into
// Loki's /otlp endpoint (this machine's ceiling), in the same run, each into a fresh tenant.
// Reports end-to-end events/s for both, their ratio, p50/p99 send-to-queryable latency and
// events lost (must be 0). Starts the native stack if it is not running, and stops what it started.
// Talks only to 127.0.0.1; stops by itself.
import { parseArgs } from 'node:util';

import { generateEvents } from '../demo/generator.mjs';
import { otlpEnvHeaders, toOtlpJson } from '../demo/otlp.mjs';
import { isRunning, lokiHeaders, otlpHeadersEnv, stackConfig, startStack, stopStack } from '../stack/lib.mjs';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    timeout: { type: 'string', default: '600' },
    'paced-rate': { type: 'string', default: '2000' },
    'paced-seconds': { type: 'string', default: '15' },
  },
});
const N = Number(args.events);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const TIMEOUT_MILLIS = Number(args.timeout) * 1000;

const cfg = stackConfig();
const runId = Date.now().toString(36);

function payloads(tenant, seed, count = N, batchSize = BATCH) {
  const now = Date.now();
  const events = generateEvents({ count, startMillis: now - 120_000, endMillis: now, seed, tenant });
  const out = [];
  let batch = [];
  for (const e of events) {
    batch.push(e);
    if (batch.length === batchSize) {
      out.push({ body: JSON.stringify(toOtlpJson(batch)), size: batch.length });
      batch = [];
    }
  }
  if (batch.length > 0) {
    out.push({ body: JSON.stringify(toOtlpJson(batch)), size: batch.length });
  }
  return out;
}

async function post(endpoint, tenant, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        // Straight to Loki through its gateway (the operator's credential), or to the Collector.
        headers: endpoint.startsWith(cfg.lokiUrl)
          ? { ...lokiHeaders(tenant), 'Content-Type': 'application/json' }
          : { ...otlpEnvHeaders(), 'Content-Type': 'application/json', 'X-Scope-OrgID': tenant },
        body,
      });
      await res.arrayBuffer();
      if (res.ok) {
        return;
      }
      if (res.status !== 429 && res.status < 500) {
        throw new Error(`HTTP ${res.status} from ${endpoint}`);
      }
    } catch (err) {
      if (attempt > 50 || /HTTP 4/.test(err.message)) {
        throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function storedCount(tenant) {
  const params = new URLSearchParams({ query: `sum(count_over_time({service_name=~".+"}[30m]))` });
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query?${params}`, { headers: lokiHeaders(tenant) });
  if (!res.ok) {
    throw new Error(`count query: HTTP ${res.status} ${await res.text()}`);
  }
  const body = await res.json();
  return body.data.result.length ? Number(body.data.result[0].value[1]) : 0;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * Sends every payload with CONCURRENCY requests in flight while a poller watches the tenant's
 * stored count. Latency of batch k = first time the stored count reaches the cumulative number of
 * events sent up to and including batch k, minus the moment batch k's request completed.
 */
async function run(label, endpoint, tenant, batches, { ratePerSecond } = {}) {
  const sentAt = new Array(batches.length);
  const cumulative = [];
  let total = 0;
  for (const b of batches) {
    total += b.size;
    cumulative.push(total);
  }
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const k = next++;
      if (ratePerSecond) {
        const due = start + (cumulative[k] - batches[k].size) * (1000 / ratePerSecond);
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      }
      await post(endpoint, tenant, batches[k].body);
      sentAt[k] = performance.now();
    }
  };
  const sending = Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const queryableAt = new Array(batches.length);
  let seen = 0;
  let stored = 0;
  const deadline = start + TIMEOUT_MILLIS;
  let sendDone = false;
  sending.then(() => (sendDone = true));
  while (performance.now() < deadline) {
    stored = await storedCount(tenant);
    const now = performance.now();
    while (seen < batches.length && cumulative[seen] <= stored && sentAt[seen] !== undefined) {
      queryableAt[seen] = now;
      seen++;
    }
    if (sendDone && stored >= total) {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await sending;
  const end = performance.now();
  const latencies = queryableAt
    .map((t, k) => (t === undefined ? undefined : t - sentAt[k]))
    .filter((x) => x !== undefined)
    .sort((a, b) => a - b);
  const seconds = (end - start) / 1000;
  // Settle: a late duplicate or a late arrival would change the count.
  await new Promise((r) => setTimeout(r, 2000));
  stored = await storedCount(tenant);
  return {
    label,
    events: total,
    seconds,
    eventsPerSecond: total / seconds,
    p50: latencies.length ? percentile(latencies, 50) : NaN,
    p99: latencies.length ? percentile(latencies, 99) : NaN,
    stored,
    lost: Math.max(0, total - stored),
    duplicated: Math.max(0, stored - total),
  };
}

const startedHere = !(isRunning('loki', cfg) && isRunning('collector', cfg));
if (startedHere) {
  await startStack({ cfg, only: ['loki', 'collector'] });
}
// The stack's producer credential (the Collector asks for one).
process.env.OTEL_EXPORTER_OTLP_HEADERS ??= otlpHeadersEnv(cfg);
try {
  console.log(`bench:ingest  ${N} events, batches of ${BATCH}, ${CONCURRENCY} requests in flight`);
  const direct = await run(
    'Loki /otlp direct',
    `${cfg.lokiUrl}/otlp/v1/logs`,
    `bench-direct-${runId}`,
    payloads(`bench-direct-${runId}`, 5)
  );
  const viaCollector = await run(
    'Collector -> Loki',
    `${cfg.otlpUrl}/v1/logs`,
    `bench-collector-${runId}`,
    payloads(`bench-collector-${runId}`, 5)
  );
  // Latency below saturation: the same paths at a steady rate both can sustain.
  const pacedRate = Number(args['paced-rate']);
  const pacedCount = pacedRate * Number(args['paced-seconds']);
  const pacedBatch = Math.max(1, Math.round(pacedRate / 20));
  const pacedDirect = await run(
    `Loki /otlp direct, paced ${pacedRate}/s`,
    `${cfg.lokiUrl}/otlp/v1/logs`,
    `bench-paced-direct-${runId}`,
    payloads(`bench-paced-direct-${runId}`, 6, pacedCount, pacedBatch),
    { ratePerSecond: pacedRate }
  );
  const pacedCollector = await run(
    `Collector -> Loki, paced ${pacedRate}/s`,
    `${cfg.otlpUrl}/v1/logs`,
    `bench-paced-collector-${runId}`,
    payloads(`bench-paced-collector-${runId}`, 6, pacedCount, pacedBatch),
    { ratePerSecond: pacedRate }
  );
  const rows = [viaCollector, direct, pacedCollector, pacedDirect];
  console.log('\n| path | events | seconds | events/s | p50 send→queryable | p99 send→queryable | lost | duplicated |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${r.events} | ${r.seconds.toFixed(1)} | ${Math.round(r.eventsPerSecond)} | ${Math.round(r.p50)} ms | ${Math.round(r.p99)} ms | ${r.lost} | ${r.duplicated} |`
    );
  }
  console.log(
    `\nratio (Collector path / direct) events/s: ${(viaCollector.eventsPerSecond / direct.eventsPerSecond).toFixed(2)}`
  );
  const lost = rows.reduce((sum, r) => sum + r.lost, 0);
  console.log(`events lost: ${lost}`);
  if (lost > 0) {
    process.exitCode = 1;
  }
} finally {
  if (startedHere) {
    await stopStack({ cfg, only: ['collector', 'loki'] });
  }
}
