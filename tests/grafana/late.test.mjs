// Nothing dropped at the store when events arrive late: a producer's disk spool holding events five
// days old, replayed after newer events reached the same stream, lands whole in Loki (no "entry too far
// behind"), is found by the viewer and the Overview, and its chain verifies. Through the real Collector,
// Loki, Grafana and backend; looks only at its own service.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import { RESOURCES, cfg, eventually, grafana, lokiEntries, resource } from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const run = randomBytes(4).toString('hex');
const service = `late-${run}`;
const DAY = 86_400_000;

/** Sum of a Collector counter over all its series (0 when absent). */
async function collectorCounter(name) {
  const text = await (await fetch(`http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => new RegExp(`^${name}(_total)?[{ ]`).test(l))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/).pop()), 0);
}

test('the Collector exposes its send counters (what the no-loss check below reads)', async () => {
  assert.ok((await collectorCounter('otelcol_exporter_sent_log_records')) > 0);
});

test('a spool of events five days old, replayed after newer events reached the same stream, is all in Loki, the viewer and the Overview, and its chain verifies', async () => {
  const failedBefore = await collectorCounter('otelcol_exporter_send_failed_log_records');
  const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-late-'));
  const key = { id: `lk-${run}`, secret: randomBytes(32) };
  const keysFile = path.join(cfg.dataDir, 'chain-keys.json');
  const keys = fs.existsSync(keysFile) ? JSON.parse(fs.readFileSync(keysFile, 'utf8')) : {};
  fs.writeFileSync(keysFile, JSON.stringify({ ...keys, [key.id]: key.secret.toString('hex') }));
  const common = { tenant: TENANT, serviceName: service, environment: 'test', meterProvider: false };
  const event = (i, timestamp) => ({
    type: 'invoice.updated',
    category: 'DATA_MODIFY',
    action: 'update',
    description: `late ${i}`,
    target: { type: 'invoice', id: `inv-${i}` },
    timestamp,
  });
  const fiveDaysAgo = Date.now() - 5 * DAY;

  // Five days ago the producer could not reach the Collector: its events went to its disk spool.
  const offline = createAuditPipeline({
    ...common,
    url: 'http://127.0.0.1:9',
    spoolDir: spool,
    chainKey: key,
    delivery: { shutdownTimeoutMillis: 200 },
  });
  await runWithAuditContext({ actor: { id: `u-${run}` }, tenant: TENANT }, async () => {
    for (let i = 0; i < 40; i++) {
      offline.record(event(i, fiveDaysAgo + i * 60_000));
    }
  });
  await offline.shutdown();
  assert.equal(offline.stats().spooled, 40);

  // Meanwhile another instance of the service wrote today into the same stream.
  const online = createAuditPipeline({ ...common, url: cfg.otlpUrl });
  await runWithAuditContext({ actor: { id: `u-${run}` }, tenant: TENANT }, async () => {
    for (let i = 40; i < 50; i++) {
      online.record(event(i));
    }
  });
  await online.flush();
  await online.shutdown();
  const wide = {
    from: (BigInt(fiveDaysAgo - DAY) * 1_000_000n).toString(),
    to: (BigInt(Date.now() + 60_000) * 1_000_000n).toString(),
  };
  await eventually(
    async () => (await lokiEntries(TENANT, `{service_name="${service}"}`, wide)).length === 10 || undefined
  );

  // The producer is back: its spool replays, five days behind the stream's newest entry.
  const back = createAuditPipeline({ ...common, url: cfg.otlpUrl, spoolDir: spool, chainKey: key });
  await eventually(() => (back.stats().replayed >= 40 && !back.stats().spooling) || undefined, {
    timeoutMillis: 60_000,
  });
  await back.shutdown();
  const to = (BigInt(Date.now() + 60_000) * 1_000_000n).toString();
  const range = { from: wide.from, to };

  const all = await eventually(
    async () => {
      const got = await lokiEntries(TENANT, `{service_name="${service}"}`, range);
      return got.length === 50 ? got : undefined;
    },
    { timeoutMillis: 60_000 }
  );
  assert.ok(all, 'all 50 events are in Loki');
  assert.equal(
    all.filter((e) => BigInt(e.ts) < BigInt(fiveDaysAgo + DAY) * 1_000_000n).length,
    40,
    'the replayed events keep their own time'
  );

  const count = await resource('events/count', { ...range, service });
  assert.equal(count.status, 200, JSON.stringify(count.body));
  assert.equal(count.body.total, 50);
  const page = await resource('events', { ...range, service, pageSize: '100' });
  assert.equal(page.body.events.length, 50);
  const overview = await resource('overview', { ...range, service });
  assert.equal(overview.body.total, 50, JSON.stringify(overview.body));

  const started = await grafana('POST', `${RESOURCES}/integrity/verifications`, { body: { ...range, service } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const done = await eventually(
    async () => {
      const list = await grafana('GET', `${RESOURCES}/integrity/verifications`);
      const v = list.body.verifications.find((x) => x.id === started.body.id);
      return v && v.status !== 'pending' && v.status !== 'running' ? v : undefined;
    },
    { timeoutMillis: 120_000 }
  );
  assert.equal(done.summary.ok, true, JSON.stringify(done.summary.problems));
  assert.equal(done.summary.records, 50 - done.summary.unchained);

  assert.equal(
    await collectorCounter('otelcol_exporter_send_failed_log_records'),
    failedBefore,
    'the Collector failed to send nothing'
  );
});
