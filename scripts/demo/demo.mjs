#!/usr/bin/env node
// npm run demo [-- --rate 5 --backfill 2000 --backfill-days 7 --duration 0]
//
// Emits a realistic continuous mix of audit events (all 14 categories, all four severities,
// several services, tenants, people and system actors, before/after changes) the way a service
// would: through @attest/otel-audit, one pipeline per tenant and service, into the Collector.
// So the events carry real redaction, compliance tags and hash chains. First it backfills the
// last days so the dashboards have history. Ctrl-C (or --duration seconds) stops it, flushing
// every pipeline.
//
//   ATTEST_OTLP_URL   Collector OTLP/HTTP base (default http://127.0.0.1:4318)
import { parseArgs } from 'node:util';

import {
  AuditBackpressureError,
  DirectorySubjectKeyStore,
  createAuditPipeline,
} from '../../instrumentation/src/index.ts';
import { TENANTS, generateEvents, makeEvent, rng } from './generator.mjs';
import { otlpHeadersEnv, stackConfig } from '../stack/lib.mjs';

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
const url = process.env.ATTEST_OTLP_URL ?? 'http://127.0.0.1:4318';
// The native stack's producer credential, unless one is given (compose sets it).
process.env.OTEL_EXPORTER_OTLP_HEADERS ??= otlpHeadersEnv(stackConfig());
const tenants = args.tenants
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);
const ratePerSecond = Number(args.rate);
const durationMillis = Number(args.duration) * 1000;

let running = true;
process.on('SIGINT', () => (running = false));
process.on('SIGTERM', () => (running = false));

const subjectKeys = process.env.ATTEST_SUBJECT_KEYS_DIR
  ? new DirectorySubjectKeyStore(process.env.ATTEST_SUBJECT_KEYS_DIR)
  : undefined;
const pipelines = new Map();
function pipelineFor(tenant, service) {
  const key = `${tenant}/${service.name}`;
  if (!pipelines.has(key)) {
    pipelines.set(
      key,
      createAuditPipeline({
        url,
        tenant,
        serviceName: service.name,
        environment: service.environment,
        meterProvider: false,
        // Identities encrypted per person, so the app can erase one (compose shares this directory).
        ...(subjectKeys ? { subjectKeys: { keyStore: subjectKeys } } : {}),
      })
    );
  }
  return pipelines.get(key);
}

const parseJson = (text) => (text === undefined ? undefined : JSON.parse(text));

const CLASSIFICATION = [
  [/^pii\.|^user\./, ['pii']],
  [/^invoice\.|^subscription\./, ['financial']],
  [/^security\.|^auth\./, ['credentials']],
];

/** A generated wire-format event as the record() input a service would write. */
function toRecordInput(e) {
  const a = e.attributes;
  const classification = CLASSIFICATION.find(([re]) => re.test(e.eventName))?.[1];
  return {
    type: e.eventName,
    category: a['audit.category'],
    action: a['audit.action'],
    outcome: a['audit.outcome'],
    severity: e.severityText,
    actor: {
      id: a['user.id'],
      email: a['user.email'],
      name: a['user.name'],
      roles: a['user.roles']?.split(','),
      type: a['audit.actor.type'],
    },
    target: a['audit.target.type']
      ? { type: a['audit.target.type'], id: a['audit.target.id'], name: a['audit.target.name'] }
      : undefined,
    description: e.body,
    changes: parseJson(a['audit.changes']),
    metadata: parseJson(a['audit.metadata']),
    classification,
    context: {
      tenant: e.tenant,
      clientAddress: a['client.address'],
      userAgent: a['user_agent.original'],
      requestId: a['audit.request.id'],
      sessionId: a['session.id'],
    },
    timestamp: Number(e.timeUnixNano / 1_000_000n),
  };
}

let sent = 0;
async function record(e) {
  const pipeline = pipelineFor(e.tenant, e.service);
  for (;;) {
    try {
      pipeline.record(toRecordInput(e));
      sent++;
      return;
    } catch (err) {
      if (!(err instanceof AuditBackpressureError)) {
        throw err;
      }
      await pipeline.waitForCapacity();
    }
  }
}

const backfill = Number(args.backfill);
if (backfill > 0) {
  const now = Date.now();
  const start = now - Number(args['backfill-days']) * 86_400_000;
  for (const [i, tenant] of tenants.entries()) {
    for (const e of generateEvents({
      count: backfill,
      startMillis: start,
      endMillis: now - 60_000,
      seed: Number(args.seed) + i,
      tenant,
    })) {
      await record(e);
    }
  }
  await Promise.all([...pipelines.values()].map((p) => p.flush()));
  console.log(
    `demo: backfilled ${backfill} events per tenant over ${args['backfill-days']} days (${tenants.join(', ')})`
  );
}

console.log(`demo: recording about ${ratePerSecond} events/s through @attest/otel-audit to ${url}; Ctrl-C stops`);
const r = rng(Number(args.seed) + 1000);
const startedAt = Date.now();
let lastReport = Date.now();
while (running && (durationMillis === 0 || Date.now() - startedAt < durationMillis)) {
  const tickStart = Date.now();
  for (let i = 0; i < ratePerSecond; i++) {
    await record(makeEvent(r, { timeMillis: Date.now(), tenant: tenants[r.int(tenants.length)] }));
  }
  if (Date.now() - lastReport > 10_000) {
    const totals = [...pipelines.values()].map((p) => p.stats());
    const sum = (k) => totals.reduce((s, t) => s + t[k], 0);
    console.log(
      `demo: recorded ${sum('recorded')}, exported ${sum('exported')}, spooled ${sum('spooled')}, failed ${sum('failed')}`
    );
    lastReport = Date.now();
  }
  await new Promise((res) => setTimeout(res, Math.max(0, 1000 - (Date.now() - tickStart))));
}
await Promise.all([...pipelines.values()].map((p) => p.shutdown()));
const totals = [...pipelines.values()].map((p) => p.stats());
const sum = (k) => totals.reduce((acc, t) => acc + t[k], 0);
console.log(
  `demo: stopped after ${sent} events: exported ${sum('exported')}, spooled ${sum('spooled')}, failed ${sum('failed')}`
);
