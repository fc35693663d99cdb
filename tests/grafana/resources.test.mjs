// What happened to one resource, through the real Grafana, backend, Collector and Loki (the second
// org, its own service): the search finds events by the resource's name and id and by the
// actor; the target type filter lists the types present; an evidence pack for one incident holds
// exactly its events (and, asked for, the events that share a request id with them), equal to
// LogQL's counts, with the resource in its manifest and PDF; a monthly report schedule runs the month
// just ended at once as a report and tells a webhook contact point how it went, with a link; it is
// kept across a Grafana restart; only an Admin of its org sees or deletes it; every step is in the trail.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { pdfText } from './pdfText.mjs';

import { createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import { configureAppToken, lokiHeaders, startService, stopService } from '../../scripts/stack/lib.mjs';
import {
  RESOURCES,
  cfg,
  createUser,
  downloadBytes,
  ensureSecondOrg,
  eventually,
  grafana,
  lokiEntries,
  tenantOf,
  unzip,
  webhookReceiver,
} from './helpers.mjs';

const run = randomBytes(4).toString('hex');
const service = `resources-${run}`;
const incident = `INC-${run}`;
const invoiceName = `Invoice for Quokka Holdings ${run}`;
let org;
let tenant;
let from;
let hookUrl;
let hook;

const call = (method, p, opts = {}) => grafana(method, `${RESOURCES}/${p}`, { org, ...opts });
const iso = (ms) => new Date(ms).toISOString();
const ns = (ms) => String(BigInt(ms) * 1_000_000n);
const mine = (params) => ({ service, from: ns(from), to: ns(Date.now() + 60_000), ...params });

async function count(pipeline) {
  const to = Date.now();
  const qs = new URLSearchParams({
    query: `sum(count_over_time({service_name="${service}"}${pipeline} [${to - from}ms]))`,
    time: String(to / 1000),
  });
  const body = await (await fetch(`${cfg.lokiUrl}/loki/api/v1/query?${qs}`, { headers: lokiHeaders(tenant) })).json();
  assert.equal(body.status, 'success', JSON.stringify(body));
  return Number(body.data.result?.[0]?.value?.[1] ?? 0);
}

async function finished(id) {
  return eventually(
    async () => {
      const r = await call('GET', `reports/${id}`);
      return r.status === 200 && !['pending', 'running'].includes(r.body.status) ? r.body : undefined;
    },
    { timeoutMillis: 180_000 }
  );
}

before(async () => {
  hook = await webhookReceiver();
  hookUrl = hook.url;
  org = await ensureSecondOrg();
  tenant = tenantOf(org);
  assert.ok(tenant, `org ${org} has a tenant`);
  await configureAppToken(cfg, org);

  const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-resources-'));
  const pipeline = createAuditPipeline({
    tenant,
    serviceName: service,
    environment: 'test',
    url: cfg.otlpUrl,
    spoolDir: spool,
    meterProvider: false,
  });
  from = Date.now() - 60_000;
  const onIncident = (type, action, requestId) => ({
    type,
    category: 'DATA_MODIFY',
    action,
    target: { type: 'incident', id: incident, name: `Payment outage ${run}` },
    context: { requestId },
  });
  const events = [
    onIncident('incident.created', 'create', `req-a-${run}`),
    onIncident('incident.updated', 'update', `req-b-${run}`),
    onIncident('incident.updated', 'update', `req-c-${run}`),
    // Same request as the update, another resource: related, not on the incident.
    {
      type: 'evidence.uploaded',
      category: 'DATA_MODIFY',
      action: 'create',
      target: { type: 'evidence', id: `EV-${run}`, name: 'timeline.pdf' },
      context: { requestId: `req-b-${run}` },
    },
    // Another incident and an invoice: neither on the incident nor related.
    {
      ...onIncident('incident.created', 'create', `req-z-${run}`),
      target: { type: 'incident', id: `INC-other-${run}` },
    },
    {
      type: 'invoice.updated',
      category: 'DATA_MODIFY',
      action: 'update',
      target: { type: 'invoice', id: `INV-${run}`, name: invoiceName },
      context: { requestId: `req-i-${run}` },
    },
  ];
  await runWithAuditContext(
    { actor: { id: `u-${run}`, email: `res-${run}@example.com`, name: `Rita Resource ${run}` }, tenant },
    async () => {
      for (const e of events) {
        pipeline.record(e);
      }
    }
  );
  await pipeline.flush();
  await pipeline.shutdown();
  const stored = await eventually(async () => {
    const got = await lokiEntries(tenant, `{service_name="${service}"}`, {
      from: String(BigInt(from) * 1_000_000n),
      to: String(BigInt(Date.now() + 60_000) * 1_000_000n),
    });
    return got.length === events.length ? got : undefined;
  });
  assert.ok(stored, 'the producer’s events are in Loki');
});

after(() => hook?.close());

test('the search finds a resource by name and by id, and its actor; the target type filter lists the types', async () => {
  const byName = await call('GET', `events?${new URLSearchParams(mine({ search: 'quokka holdings' }))}`);
  assert.equal(byName.status, 200, JSON.stringify(byName.body));
  assert.deepEqual(
    byName.body.events.map((e) => [e.targetType, e.targetId, e.targetName]),
    [['invoice', `INV-${run}`, invoiceName]],
    'the resource name is searched, case-insensitively'
  );
  const byId = await call('GET', `events?${new URLSearchParams(mine({ search: incident }))}`);
  assert.equal(byId.body.events.length, 3, 'the incident’s id finds its three events (not INC-other)');
  const byActor = await call('GET', `events?${new URLSearchParams(mine({ search: `Rita Resource ${run}` }))}`);
  assert.equal(byActor.body.events.length, 6, 'the actor’s name is searched');
  const hostile = await call('GET', `events?${new URLSearchParams(mine({ search: `") or audit_target_id=~".+` }))}`);
  assert.equal(hostile.status, 200);
  assert.equal(hostile.body.events.length, 0, 'a search string is text, never LogQL');

  const types = await call('GET', `values?${new URLSearchParams(mine({ field: 'targetType' }))}`);
  assert.equal(types.status, 200, JSON.stringify(types.body));
  assert.deepEqual(Object.fromEntries(types.body.values.map((v) => [v.name, v.count])), {
    incident: 4,
    evidence: 1,
    invoice: 1,
  });
  const invoices = await call('GET', `events/count?${new URLSearchParams(mine({ targetType: 'invoice' }))}`);
  assert.equal(invoices.body.total, 1, JSON.stringify(invoices.body));
});

test('an evidence pack for one incident holds its events, and with related ones those sharing a request id', async () => {
  const base = { type: 'Custom', from: iso(from), to: iso(Date.now()), targetType: 'incident', targetId: incident };
  const only = await call('POST', 'reports', { body: { ...base, name: `Incident ${incident}` } });
  assert.equal(only.status, 202, JSON.stringify(only.body));
  const related = await call('POST', 'reports', {
    body: { ...base, name: `Incident ${incident} + related`, related: true },
  });
  assert.equal(related.status, 202, JSON.stringify(related.body));

  const onTarget = await count(` | audit_target_type="incident" | audit_target_id="${incident}"`);
  const withRelated = await count(
    ` | (audit_target_type="incident" and audit_target_id="${incident}") or audit_request_id=~"req-a-${run}|req-b-${run}|req-c-${run}"`
  );
  assert.equal(onTarget, 3);
  assert.equal(withRelated, 4);

  const a = await finished(only.body.id);
  assert.equal(a.status, 'completed', JSON.stringify(a));
  assert.equal(a.rows, onTarget);
  const b = await finished(related.body.id);
  assert.equal(b.status, 'completed', JSON.stringify(b));
  assert.equal(b.rows, withRelated);

  const dir = unzip((await downloadBytes(`reports/${related.body.id}/download`, { org })).bytes);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.resource, {
    type: 'incident',
    id: incident,
    related: true,
    request_ids: [`req-a-${run}`, `req-b-${run}`, `req-c-${run}`],
  });
  const lines = fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => e.eventType).sort(), [
    'evidence.uploaded',
    'incident.created',
    'incident.updated',
    'incident.updated',
  ]);
  const text = await pdfText(path.join(dir, 'report.pdf'));
  assert.match(text, new RegExp(`resource incident #${incident}`));
  assert.match(text, /sharing a request id with them \(3 requests\)/);

  // The backend finds the request ids itself: ids planted in the request are dropped.
  const planted = await call('POST', 'reports', {
    body: { ...base, name: 'planted', requestIds: [`req-i-${run}`] },
  });
  assert.equal(planted.status, 202);
  assert.equal((await finished(planted.body.id)).rows, onTarget);
  const framework = await call('POST', 'reports', { body: { ...base, type: 'SOX', name: 'x' } });
  assert.equal(framework.status, 400);
  assert.equal(framework.body.error, 'invalid_type');
  const loose = await call('POST', 'reports', {
    body: { ...base, targetType: '', targetId: '', name: 'x', related: true },
  });
  assert.equal(loose.status, 400);
  assert.equal(loose.body.error, 'invalid_related');
});

test('a monthly schedule runs the month just ended, tells its contact point with a link, and survives a restart', async () => {
  const hookName = `resources-hook-${run}`;
  const cp = await call('POST', 'alerts/contact-points', { body: { name: hookName, type: 'webhook', url: hookUrl } });
  assert.equal(cp.status, 201, JSON.stringify(cp.body));
  const viewer = await createUser('Viewer', { prefix: 'sched-viewer', orgs: [org] });
  const spec = {
    type: 'Custom',
    name: `Monthly incidents ${run}`,
    targetType: 'incident',
    every: 'monthly',
    contactPoints: [hookName],
  };
  const denied = await call('POST', 'reports/schedules', { as: viewer, body: { ...spec, runLastPeriod: true } });
  assert.equal(denied.status, 403);
  const bad = await call('POST', 'reports/schedules', { body: { ...spec, every: 'weekly' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid_every');
  const withPeriod = await call('POST', 'reports/schedules', {
    body: { ...spec, from: iso(from), to: iso(Date.now()) },
  });
  assert.equal(withPeriod.status, 400);
  const nowhere = await call('POST', 'reports/schedules', { body: { ...spec, contactPoints: [`nope-${run}`] } });
  assert.equal(nowhere.status, 400, JSON.stringify(nowhere.body));

  const made = await call('POST', 'reports/schedules', { body: { ...spec, runLastPeriod: true } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const label = lastMonth.toISOString().slice(0, 7);
  assert.equal(made.body.nextPeriod, label, 'the month just ended runs first');

  const notice = await eventually(
    () => hook.received.map((n) => n.body).find((n) => n.alerts?.some((a) => a.labels?.attest_schedule === spec.name)),
    { timeoutMillis: 180_000 }
  );
  assert.ok(notice, 'the webhook got the schedule’s notice');
  const alert = notice.alerts.find((a) => a.labels?.attest_schedule === spec.name);
  assert.equal(alert.labels.attest_report_status, 'completed', JSON.stringify(alert));
  assert.equal(alert.annotations.period, label);
  assert.match(
    alert.annotations.link,
    new RegExp(`/a/attest-auditlog-app/reports\\?report=${alert.annotations.report_id}$`)
  );
  const report = await call('GET', `reports/${alert.annotations.report_id}`);
  assert.equal(report.status, 200);
  assert.equal(report.body.status, 'completed');
  assert.equal(report.body.name, `${spec.name} — ${label}`);

  const listed = await call('GET', 'reports/schedules');
  const mineListed = listed.body.schedules.find((s) => s.id === made.body.id);
  assert.equal(mineListed.nextPeriod, now.toISOString().slice(0, 7), 'next: the running month');
  assert.deepEqual(
    mineListed.runs.map((r) => [r.period, r.status, r.notified]),
    [[label, 'completed', true]]
  );
  assert.equal(
    hook.received.filter((n) => n.body.alerts?.some((a) => a.labels?.attest_schedule === spec.name)).length,
    1
  );

  // The trail: scheduled by the admin, requested by the System for the schedule.
  const trail = await eventually(async () => {
    const got = await lokiEntries(
      tenant,
      `{service_name="attest-grafana-app"} | audit_target_id=~"${made.body.id}|${report.body.id}"`,
      {
        from: String(BigInt(from) * 1_000_000n),
        to: String(BigInt(Date.now() + 60_000) * 1_000_000n),
      }
    );
    return got.length >= 3 ? got : undefined;
  });
  assert.ok(trail, 'the schedule and its run are in the trail');
  const types = trail.map((e) => e.labels.audit_event);
  assert.ok(types.includes('audit.report.schedule.scheduled'), JSON.stringify(types));
  const requested = trail.find((e) => e.labels.audit_event === 'audit.report.requested');
  assert.equal(requested.labels.audit_actor_type, 'system');

  await stopService('grafana', { cfg });
  await startService('grafana', { cfg, timeoutMillis: 120_000 });
  const kept = await call('GET', 'reports/schedules');
  assert.equal(kept.status, 200);
  const again = kept.body.schedules.find((s) => s.id === made.body.id);
  assert.ok(again, 'the schedule is kept across a restart');
  assert.equal(again.runs.length, 1, 'the month that ran is not run again');

  // Another org's Admin neither sees nor deletes it.
  const elsewhere = await grafana('GET', `${RESOURCES}/reports/schedules`, { org: 1 });
  assert.equal(elsewhere.status, 200);
  assert.ok(!elsewhere.body.schedules.some((s) => s.id === made.body.id), 'org 1 does not list org 2’s schedule');
  const foreign = await grafana('DELETE', `${RESOURCES}/reports/schedules/${made.body.id}`, { org: 1 });
  assert.equal(foreign.status, 404);
  const gone = await call('DELETE', `reports/schedules/${made.body.id}`);
  assert.equal(gone.status, 204);
  assert.ok(!(await call('GET', 'reports/schedules')).body.schedules.some((s) => s.id === made.body.id));
});
