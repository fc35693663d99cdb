// Overview bench: the Overview through Grafana and the backend over 24 h, 30 d and 90 d of the bench
// dataset (1M events over 30 days), against one raw LogQL count of the same range straight to Loki, in
// the same run. "first" is the very first read (no daily counts yet: read live, and the counting
// starts); "cold" the first read once the days are counted, right after a Grafana restart; "warm" the
// median of the next three. Then the live tail's latency: events sent to the Collector one by one,
// timed until the backend pushes them to a reader.
//
//   npm run stack && npm run bench:overview            (BENCH_EVENTS=100000 for the smaller dataset)
import { randomUUID } from 'node:crypto';

import { GRAFANA_ADMIN, lokiHeaders, stackConfig } from '../stack/lib.mjs';
import { pushOtlp } from '../demo/otlp.mjs';
import { RESOURCES, eventually, grafana, login } from '../../tests/grafana/helpers.mjs';
import { benchOrg, restartGrafana } from './grafanaOrg';
import { DAY, TENANT, TOTAL, ensureLoaded, ns, timeout, LOKI } from './dataset';

const RANGES: Array<[string, number]> = [
  ['24 h', DAY],
  ['30 d', 30 * DAY],
  ['90 d', 90 * DAY],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function rawCount(fromMs: number, toMs: number): Promise<[number, number]> {
  const qs = new URLSearchParams({
    query: `sum(count_over_time({service_name=~".+"} [${toMs - fromMs}ms]))`,
    time: (BigInt(toMs) * 1_000_000n - 1n).toString(),
  });
  const t0 = performance.now();
  const res = await fetch(`${LOKI}/loki/api/v1/query?${qs}`, {
    headers: lokiHeaders(TENANT),
    signal: timeout(),
  });
  const body = await res.json();
  return [performance.now() - t0, Number(body.data.result[0]?.value[1] ?? 0)];
}

async function main() {
  await ensureLoaded();
  const org = await benchOrg();
  const session = await login(GRAFANA_ADMIN);
  const overview = async (fromMs: number, toMs: number) => {
    const t0 = performance.now();
    const res = await grafana('GET', `${RESOURCES}/overview?from=${ns(fromMs)}&to=${ns(toMs)}`, { org, as: session });
    if (res.status !== 200) {
      throw new Error(`overview: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
    return { ms: performance.now() - t0, total: res.body.total as number, dailyCountDays: res.body.dailyCountDays as number };
  };
  try {
    const toMs = Math.floor(Date.now() / 1000) * 1000;
    console.log(
      `\n${TOTAL.toLocaleString()} events (tenant ${TENANT}); Overview through the backend vs a raw LogQL count`
    );
    // The very first reads are live (and start the counting, which competes with them for Loki).
    const first: Record<string, string> = {};
    for (const [name, span] of RANGES) {
      const t0 = performance.now();
      first[name] = await overview(toMs - span, toMs).then(
        (o) => fmt(o.ms),
        (e) => `failed after ${fmt(performance.now() - t0)} (${e.message})`
      );
    }
    // The first reads started the counting: wait until the 90-day Overview comes from the daily counts.
    await eventually(
      async () => {
        const o = await overview(toMs - 90 * DAY, toMs);
        return o.dailyCountDays >= 85 ? o : undefined;
      },
      { timeoutMillis: 30 * 60_000, intervalMillis: 5000 }
    );
    await restartGrafana(`${stackConfig().tenants},${org}=${TENANT}`);
    const fresh = await login(GRAFANA_ADMIN);
    Object.assign(session, fresh);
    for (const [name, span] of RANGES) {
      const fromMs = toMs - span;
      const cold = await overview(fromMs, toMs);
      const warm: number[] = [];
      for (let i = 0; i < 3; i++) {
        warm.push((await overview(fromMs, toMs)).ms);
      }
      const [rawMs, raw] = await rawCount(fromMs, toMs);
      const exact = cold.total === raw ? 'equal' : `DIFFERENT (${cold.total} vs ${raw})`;
      console.log(
        `${name}: first ${first[name]}; cold ${fmt(cold.ms)}, warm ${fmt(median(warm))} (${cold.dailyCountDays} days counted); ` +
          `raw LogQL count ${fmt(rawMs)} → warm ${(median(warm) / rawMs).toFixed(2)}× the count; total ${cold.total.toLocaleString()}, LogQL ${raw.toLocaleString()}: ${exact}`
      );
    }
  } finally {
    await restartGrafana();
  }
  await tailLatency();
}

/** Live tail: 20 events sent to the Collector one at a time, each timed until it is pushed to the reader. */
async function tailLatency() {
  const cfg = stackConfig();
  const service = `bench-tail-${Date.now().toString(36)}`;
  const now = BigInt(Date.now()) * 1_000_000n;
  const ctrl = new AbortController();
  const res = await fetch(
    `${cfg.grafanaUrl}${RESOURCES}/events/tail?service=${service}&from=${now}&to=${now + 1_000_000n}`,
    {
      headers: {
        Authorization: `Basic ${Buffer.from(`${GRAFANA_ADMIN.user}:${GRAFANA_ADMIN.password}`).toString('base64')}`,
      },
      signal: ctrl.signal,
    }
  );
  const arrived = new Map<string, number>();
  const reading = (async () => {
    const decoder = new TextDecoder();
    let rest = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines.filter(Boolean)) {
          for (const e of JSON.parse(l).events ?? []) {
            arrived.set(e.id, performance.now());
          }
        }
      }
    } catch {
      /* aborted */
    }
  })();
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const id = randomUUID();
    const sent = performance.now();
    await pushOtlp({
      endpoint: `${cfg.otlpUrl}/v1/logs`,
      tenant: cfg.defaultTenant,
      events: [
        {
          service: { name: service, environment: 'bench' },
          timeUnixNano: BigInt(Date.now()) * 1_000_000n,
          severityNumber: 9,
          severityText: 'INFO',
          body: `tail probe ${i}`,
          attributes: {
            'audit.id': id,
            'audit.event': 'bench.tail',
            'audit.category': 'SYSTEM',
            'audit.actor.type': 'system',
          },
        },
      ],
    });
    await eventually(async () => arrived.get(id), { timeoutMillis: 10_000, intervalMillis: 10 });
    latencies.push((arrived.get(id) ?? Infinity) - sent);
  }
  ctrl.abort();
  await reading;
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `live tail, 20 events: send → pushed to the reader median ${fmt(median(latencies))}, max ${fmt(sorted[sorted.length - 1])}`
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
