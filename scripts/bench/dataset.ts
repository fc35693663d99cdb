// The bench dataset: 1M audit events over 30 days in the real Loki (tenant `bench-query-1m-v3`), loaded
// once and reused by the backend, export, report and overview benches. BENCH_EVENTS=200000 loads a
// smaller set (own tenant).
import { generateEvents } from '../demo/generator.mjs';
import { pushOtlp } from '../demo/otlp.mjs';
import { lokiAuthorization } from '../stack/lib.mjs';

export const LOKI = process.env.ATTEST_LOKI_URL ?? 'http://127.0.0.1:3100';
export const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
export const RUNS = Number(process.env.BENCH_RUNS ?? 7);
export const CALL_TIMEOUT_MS = 180_000;
export const timeout = () => AbortSignal.timeout(CALL_TIMEOUT_MS);
export const TENANT = `bench-query-${TOTAL === 1_000_000 ? '1m' : TOTAL}-v3`;
export const DAY = 86_400_000;
/** 30 min of event time per push: chunks then span less than max_chunk_age (2 h) gives live traffic. */
const BATCH = Math.max(10, Math.round(TOTAL / 1440));

if (!/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(LOKI)) {
  throw new Error(`the bench talks to a local Loki only, not ${LOKI}`);
}

export const ns = (ms: number) => (BigInt(ms) * BigInt(1_000_000)).toString();

/** A read straight from Loki's HTTP API for the bench tenant (structured metadata apart, as the backend asks). */
export async function lokiGet(
  path: 'query' | 'query_range',
  params: Record<string, string>,
  tenant: string = TENANT
): Promise<any> {
  const res = await fetch(`${LOKI}/loki/api/v1/${path}?${new URLSearchParams(params)}`, {
    headers: {
      Authorization: lokiAuthorization(),
      'X-Scope-OrgID': tenant,
      'X-Loki-Response-Encoding-Flags': 'categorize-labels',
    },
    signal: timeout(),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

/** Loki's count of every event in [startNs, endNs): the LogQL the backend's count runs without filters. */
export async function countRaw(range: { startNs: string; endNs: string }): Promise<number> {
  const ms = (BigInt(range.endNs) - BigInt(range.startNs)) / BigInt(1_000_000);
  const body = await lokiGet('query', {
    query: `sum(count_over_time({service_name=~".+"} [${ms}ms]))`,
    time: (BigInt(range.endNs) - BigInt(1)).toString(),
  });
  return Number(body.data.result[0]?.value[1] ?? 0);
}

async function count(startMs: number, endMs: number): Promise<number> {
  return countRaw({ startNs: ns(startMs), endNs: ns(endMs) });
}

async function load(endMs: number) {
  const startMs = endMs - 30 * DAY;
  console.log(`loading ${TOTAL} events over 30 days into tenant ${TENANT} ...`);
  const t0 = Date.now();
  let batch: unknown[] = [];
  let sent = 0;
  // Sequential, oldest first: Loki refuses entries far behind the newest one of their stream.
  for (const e of generateEvents({
    count: TOTAL,
    startMillis: startMs,
    endMillis: endMs,
    seed: 1_000_000,
    tenant: TENANT,
  })) {
    batch.push(e);
    if (batch.length === BATCH) {
      await pushOtlp({
        endpoint: `${LOKI}/otlp/v1/logs`,
        tenant: TENANT,
        events: batch,
        deadlineMillis: 300_000,
        headers: { Authorization: lokiAuthorization() },
      });
      // A batch is 30 min of event time. Cut the chunks now: Loki cuts by event-time span only in its periodic
      // flush check, so a fast backfill would otherwise build chunks spanning days, which every time-split
      // sub-query then decompresses in full (20k events read as 3M lines). Live traffic never does this.
      await flush();
      sent += batch.length;
      batch = [];
      if (sent % (BATCH * 144) === 0) {
        console.log(`  ${sent} (${Math.round(sent / ((Date.now() - t0) / 1000))}/s)`);
      }
    }
  }
  if (batch.length > 0) {
    await pushOtlp({
      endpoint: `${LOKI}/otlp/v1/logs`,
      tenant: TENANT,
      events: batch,
      deadlineMillis: 300_000,
      headers: { Authorization: lokiAuthorization() },
    });
  }
  // Loki asks the ingesters only about the last 3 h (query_ingesters_within): older events become visible
  // once their chunks are in the store.
  await flush();
  console.log(`loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** POST /flush, then wait (up to 10 s) until the ingester's flush queue is empty: the flush is asynchronous. */
async function flush() {
  const res = await fetch(`${LOKI}/flush`, { method: 'POST', headers: { Authorization: lokiAuthorization() } });
  if (!res.ok) {
    throw new Error(`POST /flush -> HTTP ${res.status}`);
  }
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const metrics = await (await fetch(`${LOKI}/metrics`, { headers: { Authorization: lokiAuthorization() } })).text();
    const m = /^loki_ingester_flush_queue_length (\S+)$/m.exec(metrics);
    if (!m || Number(m[1]) === 0) {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Loki may drop the odd event of a backfill (e.g. an exact duplicate); 99.9 % counts as loaded. */
const loadedEnough = (n: number) => n >= TOTAL * 0.999;

export async function ensureLoaded(): Promise<void> {
  const now = Date.now();
  const have = await count(now - 31 * DAY, now);
  if (loadedEnough(have)) {
    console.log(`tenant ${TENANT} already holds ${have} events over the last 31 days; reusing them`);
    return;
  }
  if (have > 0) {
    console.log(`tenant ${TENANT} holds ${have} events (partial or still flushing); waiting before loading again`);
    if (await waitForCount(now, 120_000)) {
      return;
    }
  }
  await load(Math.floor(now / 1000) * 1000);
  if (!(await waitForCount(Date.now(), 900_000))) {
    throw new Error('the loaded events did not become visible');
  }
}

async function waitForCount(now: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < until) {
    const have = await count(now - 31 * DAY, Date.now() + 1000);
    if (loadedEnough(have)) {
      console.log(`  visible: ${have}`);
      return true;
    }
    if (have !== last) {
      console.log(`  visible: ${have}`);
      last = have;
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
  return false;
}
