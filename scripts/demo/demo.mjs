#!/usr/bin/env node
// npm run demo [-- --rate 5 --backfill 2000 --duration 0]
//
// Emits a realistic continuous mix of audit events (all 14 categories, all four severities,
// several services, tenants, people and system actors) through the Collector, one OTLP request
// per tenant per tick, each with its tenant's X-Scope-OrgID. First it backfills the last 7 days so
// the dashboards have history. Ctrl-C (or --duration seconds) stops it.
//
//   ATTEST_OTLP_URL   Collector OTLP/HTTP base (default http://127.0.0.1:4318)
import { parseArgs } from 'node:util';

import { TENANTS, generateEvents, makeEvent, rng } from './generator.mjs';
import { pushOtlp } from './otlp.mjs';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '5' },
    backfill: { type: 'string', default: '2000' },
    'backfill-days': { type: 'string', default: '7' },
    duration: { type: 'string', default: '0' },
    tenants: { type: 'string', default: TENANTS.join(',') },
    seed: { type: 'string', default: String(Date.now() % 100000) },
  },
});
const otlpUrl = process.env.ATTEST_OTLP_URL ?? 'http://127.0.0.1:4318';
const endpoint = `${otlpUrl}/v1/logs`;
const tenants = args.tenants.split(',').map((t) => t.trim()).filter(Boolean);
const ratePerSecond = Number(args.rate);
const durationMillis = Number(args.duration) * 1000;

let running = true;
process.on('SIGINT', () => (running = false));
process.on('SIGTERM', () => (running = false));

const sentByTenant = Object.fromEntries(tenants.map((t) => [t, 0]));

async function send(tenant, events) {
  for (let i = 0; i < events.length; i += 1000) {
    await pushOtlp({ endpoint, tenant, events: events.slice(i, i + 1000) });
  }
  sentByTenant[tenant] += events.length;
}

const backfill = Number(args.backfill);
if (backfill > 0) {
  const now = Date.now();
  const start = now - Number(args['backfill-days']) * 86_400_000;
  for (const [i, tenant] of tenants.entries()) {
    const events = [...generateEvents({ count: backfill, startMillis: start, endMillis: now - 60_000, seed: Number(args.seed) + i, tenant })];
    await send(tenant, events);
  }
  console.log(`demo: backfilled ${backfill} events per tenant over ${args['backfill-days']} days (${tenants.join(', ')})`);
}

console.log(`demo: sending about ${ratePerSecond} events/s to ${endpoint}; Ctrl-C stops`);
const r = rng(Number(args.seed) + 1000);
const startedAt = Date.now();
let lastReport = Date.now();
while (running && (durationMillis === 0 || Date.now() - startedAt < durationMillis)) {
  const tickStart = Date.now();
  const perTenant = new Map(tenants.map((t) => [t, []]));
  for (let i = 0; i < ratePerSecond; i++) {
    const tenant = tenants[r.int(tenants.length)];
    perTenant.get(tenant).push(makeEvent(r, { timeMillis: Date.now(), tenant }));
  }
  try {
    await Promise.all([...perTenant].filter(([, ev]) => ev.length > 0).map(([t, ev]) => send(t, ev)));
  } catch (err) {
    console.error(`demo: ${err.message}`);
  }
  if (Date.now() - lastReport > 10_000) {
    console.log(`demo: sent ${JSON.stringify(sentByTenant)}`);
    lastReport = Date.now();
  }
  await new Promise((res) => setTimeout(res, Math.max(0, 1000 - (Date.now() - tickStart))));
}
console.log(`demo: stopped; sent ${JSON.stringify(sentByTenant)}`);
