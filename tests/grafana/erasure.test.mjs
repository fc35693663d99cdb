// GDPR erasure end to end: a producer stores identities encrypted per person (the subject key
// directory it shares with the backend); an Admin sees the real identity and finds the person's events;
// after erasure no stored row, later export or report, or job table names the person, the events are
// all still there and the chain still verifies, and the erasure is recorded without the identity.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';

import { DirectorySubjectKeyStore, createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import { configureAppToken, s3Root, subjectKeysDir } from '../../scripts/stack/lib.mjs';
import {
  PLUGIN_ID,
  RESOURCES,
  cfg,
  createUser,
  eventually,
  grafana,
  lastMinutes,
  lokiEntries,
  resource,
  webhookReceiver,
} from './helpers.mjs';
import { filesHolding } from './storeScan.mjs';

const TENANT = cfg.defaultTenant;
const run = randomBytes(4).toString('hex');
const service = `erasure-${run}`;
const erin = { id: `u-erin-${run}`, email: `erin.${run}@example.com`, name: `Erin Quist ${run}` };
const frank = { id: `u-frank-${run}`, email: `frank.${run}@example.com`, name: `Frank Ode ${run}` };
const erinMarks = [erin.id, erin.email, erin.name, erin.email.toUpperCase()];
const signin = `erasure.${run}.signin`;
const started = Date.now();
let range;

const call = (method, p, body) =>
  grafana('POST' === method || 'DELETE' === method ? method : 'GET', `${RESOURCES}/${p}`, { body });
const mentionsErin = (text) => erinMarks.some((m) => text.toLowerCase().includes(m.toLowerCase()));

async function job(kind, body) {
  const started = await call('POST', kind, body);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const done = await eventually(
    async () => {
      const j = (await call('GET', `${kind}/${started.body.id}`)).body;
      return j.status !== 'pending' && j.status !== 'running' ? j : undefined;
    },
    { timeoutMillis: 120_000 }
  );
  assert.equal(done.status, 'completed', JSON.stringify(done));
  return done;
}

async function download(p) {
  const res = await fetch(`${cfg.grafanaUrl}${RESOURCES}/${p}`, {
    headers: { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  });
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

before(async () => {
  const pipeline = createAuditPipeline({
    tenant: TENANT,
    serviceName: service,
    environment: 'test',
    url: cfg.otlpUrl,
    spoolDir: fs.mkdtempSync(path.join(os.tmpdir(), 'attest-erasure-')),
    meterProvider: false,
    subjectKeys: { keyStore: new DirectorySubjectKeyStore(subjectKeysDir(cfg)) },
  });
  const as = (actor, fn) => runWithAuditContext({ actor: { ...actor, type: 'user' }, tenant: TENANT }, fn);
  await as(erin, async () => {
    pipeline.record({ type: 'auth.login', category: 'AUTH', action: 'login', description: `${erin.name} signed in` });
    pipeline.record({
      type: 'invoice.updated',
      category: 'DATA_MODIFY',
      action: 'update',
      target: { type: 'invoice', id: 'INV-7' },
      changes: { before: { approver: null }, after: { approver: erin.email } },
    });
    pipeline.record({
      type: 'user.role.changed',
      category: 'PERMISSION',
      action: 'update',
      target: { type: 'user', id: frank.id, name: frank.name },
    });
    pipeline.record({ type: signin, category: 'AUTH', action: 'login', outcome: 'failure' });
  });
  await as(frank, async () => {
    pipeline.record({
      type: 'user.updated',
      category: 'USER_MGMT',
      action: 'update',
      target: { type: 'user', id: erin.id, name: erin.name },
      description: `Profile of ${erin.name} updated`,
    });
    pipeline.record({ type: 'auth.login', category: 'AUTH', action: 'login' });
  });
  await pipeline.flush();
  await pipeline.shutdown();
  range = lastMinutes(10);
  const got = await eventually(async () => {
    const e = await lokiEntries(TENANT, `{service_name="${service}"}`, range);
    return e.length === 6 ? e : undefined;
  });
  assert.ok(got, 'the six events are in Loki');
});

test('no stored row names the person; an Admin sees the real identity and finds their events', async () => {
  const stored = JSON.stringify(await lokiEntries(TENANT, `{service_name="${service}"}`, range));
  assert.ok(!mentionsErin(stored), 'Loki holds no identity of Erin in clear');
  assert.ok(stored.includes('enc:v1:'), 'identities are stored encrypted');
  const page = await resource('events', { service, from: range.from, to: range.to, pageSize: '25' });
  assert.equal(page.status, 200);
  const byType = Object.fromEntries(page.body.events.map((e) => [`${e.eventType}/${e.actorId}`, e]));
  assert.equal(byType[`auth.login/${erin.id}`].actorEmail, erin.email);
  assert.equal(byType[`auth.login/${erin.id}`].actorName, erin.name);
  assert.equal(byType[`user.updated/${frank.id}`].targetName, erin.name, 'Erin as the target of Frank’s change');
  const hers = await resource('events', { service, actor: erin.email, from: range.from, to: range.to, pageSize: '25' });
  assert.equal(hers.body.events.length, 4, 'the actor filter finds her encrypted events');
});

/** A per-actor alert on her failed sign-in, made from the Alerts page's API, and the notice it sends. */
async function perActorAlert(t) {
  const hook = await webhookReceiver();
  t.after(() => hook.close());
  await configureAppToken(cfg, 1);
  const settings = await grafana('GET', `/api/plugins/${PLUGIN_ID}/settings`);
  await grafana('POST', `/api/plugins/${PLUGIN_ID}/settings`, {
    body: { enabled: true, pinned: true, jsonData: { ...settings.body.jsonData, alertInterval: '10s' } },
  });
  const contactPoint = `erasure-hook-${run}`;
  const cp = await call('POST', 'alerts/contact-points', { name: contactPoint, type: 'webhook', url: hook.url });
  assert.equal(cp.status, 201, JSON.stringify(cp.body));
  const made = await call('POST', 'alerts', {
    name: `Failed sign-in per actor ${run}`,
    description: 'erasure test',
    categories: ['AUTH'],
    severity: 'INFO',
    eventTypes: [signin],
    outcome: 'failure',
    perActor: true,
    threshold: 1,
    windowMinutes: 30,
    contactPoints: [contactPoint],
    active: true,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const alert = await eventually(
    () =>
      hook.received
        .flatMap((n) => n.body.alerts ?? [])
        .find((x) => x.labels?.attest_rule_uid === made.body.uid && x.status === 'firing'),
    { timeoutMillis: 150_000 }
  );
  assert.ok(alert, 'the per-actor alert fired');
  return { alert, uid: made.body.uid, contactPoint };
}

/**
 * Her actions as the counts datasource tells an Admin: per actor for her sign-in, and (before erasure
 * only: a value typed afterwards is a new record of the backend's) filtered by her.
 */
async function countsOfHer({ byHer = true } = {}) {
  const res = await grafana('POST', '/api/ds/query', {
    body: {
      from: String(Number(BigInt(range.from) / 1_000_000n)),
      to: String(Number(BigInt(range.to) / 1_000_000n)),
      queries: [
        {
          refId: 'A',
          datasource: { uid: 'attest-audit-counts' },
          mode: 'instant',
          groupBy: ['actor'],
          eventTypes: [signin],
        },
        ...(byHer
          ? [{ refId: 'B', datasource: { uid: 'attest-audit-counts' }, mode: 'instant', service, actor: erin.email }]
          : []),
      ],
    },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const labels = (res.body.results.A.frames ?? []).map((f) => f.schema.fields[1].labels);
  const total = (res.body.results.B?.frames ?? []).reduce((n, f) => n + f.data.values[1].reduce((x, y) => x + y, 0), 0);
  return { actors: labels.map((l) => l.actor_email), byHer: total };
}

/** Where each of her identifiers and her subject reference is found, store by store. */
async function stores(ref) {
  const dataDir = path.join(cfg.dataDir, 'grafana', 'attest');
  const loki = await lokiEntries(TENANT, '{service_name=~".+"}', {
    from: (BigInt(started - 120_000) * 1_000_000n).toString(),
    to: (BigInt(Date.now() + 60_000) * 1_000_000n).toString(),
  });
  const inLoki = (marks) =>
    loki
      .filter((e) => marks.some((m) => JSON.stringify(e).toLowerCase().includes(m.toLowerCase())))
      .map((e) => `${e.labels.service_name}/${e.labels.audit_event}`);
  const dirs = [dataDir, s3Root(cfg), subjectKeysDir(cfg)];
  return {
    loki: inLoki(erinMarks),
    files: await filesHolding(dirs, erinMarks),
    lokiRef: inLoki([ref]),
    filesRef: await filesHolding(dirs, [ref]),
  };
}

test('erasure: only an Admin; afterwards no store names her, every event stays and the chain verifies', async (t) => {
  const ref = (await lokiEntries(TENANT, `{service_name="${service}"} | audit_event="${signin}"`, range))[0]?.labels
    .audit_subject;
  assert.match(ref ?? '', /^[0-9a-f]{32}$/, 'her events carry her subject reference');
  // Files made before: an export filtered on her, holding her identity, and a Custom report on her.
  const exp = await job('exports', {
    name: `Access of ${erin.email}`,
    format: 'jsonl',
    params: { service, actor: erin.email, from: range.from, to: range.to },
  });
  assert.ok(mentionsErin((await download(`exports/${exp.id}/download`)).toString()));
  const custom = await job('reports', {
    type: 'Custom',
    name: `Activity of ${erin.name}`,
    actors: [erin.email],
    from: new Date(Number(BigInt(range.from) / 1_000_000n)).toISOString(),
    to: new Date().toISOString(),
  });
  const editor = await createUser('Editor', { prefix: 'erasure-editor' });
  const refused = await grafana('POST', `${RESOURCES}/subjects/erase`, { as: editor, body: { subject: erin.email } });
  assert.equal(refused.status, 403);

  // What the Admin searched and named is sealed in the backend's own records: revealed to readers.
  await call(
    'GET',
    `events?${new URLSearchParams({ service, search: erin.name, actor: erin.email, from: range.from, to: range.to })}`
  );
  const requested = async () =>
    eventually(async () => {
      const own = await resource('events', {
        service: 'attest-grafana-app',
        eventType: 'audit.export.requested',
        ...lastMinutes(15),
      });
      return own.body.events?.find((e) => e.targetId === exp.id);
    });
  const before = await requested();
  assert.equal(before?.targetName, `Access of ${erin.email}`, 'an Admin sees the name given');
  assert.match(before.metadata, new RegExp(erin.email.replace(/[.+]/g, '\\$&')), 'and the filter, revealed');

  // A per-actor alert fires on her; its labels name her by an opaque reference an Admin resolves.
  const { alert, uid, contactPoint } = await perActorAlert(t);
  // A rule that names her: its definition lives in Grafana.
  const watch = await call('POST', 'alerts', {
    name: `Watch ${erin.name}`,
    description: `Anything ${erin.email} deletes`,
    categories: ['DATA_MODIFY'],
    severity: 'INFO',
    actor: erin.email,
    threshold: 1,
    windowMinutes: 5,
    contactPoints: [contactPoint],
    active: true,
  });
  assert.equal(watch.status, 201, JSON.stringify(watch.body));
  assert.ok(!mentionsErin(JSON.stringify(alert)), 'the notice names her not');
  const resolve = () =>
    call(
      'GET',
      `actors/resolve?${new URLSearchParams({ ref: alert.labels.actor_ref, from: range.from, to: range.to })}`
    );
  assert.equal((await resolve()).body.actorEmail, erin.email);
  // The counts datasource shows an Admin who she is, and counts by her e-mail.
  assert.deepEqual(await countsOfHer(), { actors: [erin.email], byHer: 4 });

  const held = await stores(ref);
  t.diagnostic(`before erasure: ${JSON.stringify(held)}`);
  assert.deepEqual(held.loki, [], 'no record in Loki, producers’ or the backend’s, holds her in clear');
  assert.ok(held.files.length >= 2, 'the export and the report name her');
  assert.ok(held.lokiRef.length >= 5 && held.filesRef.length >= 1, 'her reference is in her events and the key store');

  const erased = await call('POST', 'subjects/erase', { subject: erin.email.toUpperCase() });
  assert.equal(erased.status, 200, JSON.stringify(erased.body));
  assert.match(erased.body.erasureId, /^[0-9a-f-]{36}$/);
  assert.ok(erased.body.filesDeleted >= 2 && erased.body.jobsScrubbed >= 2, JSON.stringify(erased.body));
  assert.equal((await call('POST', 'subjects/erase', { subject: erin.id })).status, 404, 'already erased');

  // The backend's own records: what named her opens to nothing now.
  const after = await requested();
  assert.equal(after.targetName, '[erased]');
  assert.ok(!mentionsErin(JSON.stringify(after)), 'the export request names her no more');
  assert.equal((await resolve()).status, 404, 'the alert’s actor is erased');
  // The rule that named her is paused and names her no more, in the app and in Grafana; the per-actor
  // rule, which names no one, runs on.
  assert.equal(erased.body.alertRulesPaused, 1, JSON.stringify(erased.body));
  const rules = (await call('GET', 'alerts')).body.rules;
  const watched = rules.find((x) => x.uid === watch.body.uid);
  assert.equal(watched.name, `Watch [erased] (${watch.body.uid})`);
  assert.equal(watched.actor, '[erased]');
  assert.equal(watched.active, false);
  const inGrafana = await grafana('GET', `/api/v1/provisioning/alert-rules/${watch.body.uid}`);
  assert.equal(inGrafana.status, 200);
  assert.ok(!mentionsErin(JSON.stringify(inGrafana.body)), 'Grafana’s rule names her not');
  assert.equal(rules.find((x) => x.uid === uid).active, true);
  assert.deepEqual(await countsOfHer({ byHer: false }), { actors: ['[erased]'], byHer: 0 });

  // Every store the product writes: Loki (the tenant's producers' records and the backend's own, over
  // every record written since this file started, so every one that could name her), the job, count
  // and sealed-value databases with their write-ahead logs, export, report and archive files (ZIP, gzip
  // and PDF read as text), the S3 bucket, and the subject key directory.
  const left = await stores(ref);
  t.diagnostic(`after erasure: ${JSON.stringify(left)}`);
  assert.deepEqual(left.loki, [], 'records in Loki that name her');
  assert.deepEqual(left.files, [], 'files that name her');
  assert.deepEqual(left.filesRef, [], 'files that hold her subject reference');
  assert.deepEqual(
    [...new Set(left.lokiRef)].sort(),
    [
      `${service}/auth.login`,
      `${service}/invoice.updated`,
      `${service}/user.role.changed`,
      `${service}/user.updated`,
      `${service}/${signin}`,
    ].sort(),
    'only the events producers wrote about her keep her (now unreadable) reference: none of the backend’s own, the erasure’s included'
  );

  // The viewer: all six events, hers without her.
  const page = await resource('events', { service, from: range.from, to: range.to, pageSize: '25' });
  assert.equal(page.body.events.length, 6);
  assert.ok(!mentionsErin(JSON.stringify(page.body)), 'the viewer shows no identity of hers');
  assert.equal(page.body.events.filter((e) => e.actorEmail === '[erased]').length, 4);
  assert.ok(
    page.body.events.some((e) => e.actorEmail === frank.email),
    'Frank is not erased'
  );

  // Job lists: the old export and report are gone, no job names her.
  assert.equal((await call('GET', `exports/${exp.id}`)).status, 404);
  assert.equal((await call('GET', `reports/${custom.id}`)).status, 404);
  assert.ok(!mentionsErin(JSON.stringify((await call('GET', 'exports')).body)));
  assert.ok(!mentionsErin(JSON.stringify((await call('GET', 'reports')).body)));

  // Later exports and reports do not name her.
  const later = await job('exports', {
    name: 'after erasure',
    format: 'csv',
    params: { service, from: range.from, to: range.to },
  });
  const csv = (await download(`exports/${later.id}/download`)).toString();
  assert.equal(csv.trim().split('\n').length, 7, 'header and six rows');
  assert.ok(!mentionsErin(csv));
  await job('reports', {
    type: 'Custom',
    name: `after erasure ${run}`,
    from: new Date(Number(BigInt(range.from) / 1_000_000n)).toISOString(),
    to: new Date().toISOString(),
  });
  assert.deepEqual(await filesHolding([path.join(cfg.dataDir, 'grafana', 'attest')], erinMarks), []);

  // Every record still verifies: nothing in Loki changed.
  const v = await call('POST', 'integrity/verifications', { from: range.from, to: range.to, service });
  assert.equal(v.status, 202);
  const verified = await eventually(async () => {
    const list = (await call('GET', 'integrity/verifications')).body.verifications;
    const x = list.find((y) => y.id === v.body.id);
    return x && x.status === 'completed' ? x.summary : undefined;
  });
  assert.equal(verified.problemCount, 0, JSON.stringify(verified.problems));
  assert.equal(verified.records, 6);

  // The erasure is recorded by its own id: neither her identity nor her reference.
  const rec = await eventually(async () => {
    const got = await lokiEntries(
      TENANT,
      '{service_name="attest-grafana-app"} | audit_event="audit.subject.erased"',
      lastMinutes(10)
    );
    return got.find((e) => e.labels.audit_target_id === erased.body.erasureId);
  });
  assert.ok(rec, 'the erasure is in the trail');
  assert.ok(!mentionsErin(JSON.stringify(rec)) && !JSON.stringify(rec).includes(ref));

  assert.equal((await call('DELETE', `alerts/${uid}`)).status, 204);
  assert.equal((await call('DELETE', `alerts/${watch.body.uid}`)).status, 204);
});

test('a person who is only ever a target: erasing them deletes the files that name them and scrubs every job', async () => {
  const gil = { id: `u-gil-${run}`, name: `Gil Varga ${run}` };
  const targetService = `erasure-target-${run}`;
  const pipeline = createAuditPipeline({
    tenant: TENANT,
    serviceName: targetService,
    environment: 'test',
    url: cfg.otlpUrl,
    spoolDir: fs.mkdtempSync(path.join(os.tmpdir(), 'attest-erasure-target-')),
    meterProvider: false,
    subjectKeys: { keyStore: new DirectorySubjectKeyStore(subjectKeysDir(cfg)) },
  });
  await runWithAuditContext({ actor: { ...frank, type: 'user' }, tenant: TENANT }, async () => {
    pipeline.record({
      type: 'user.suspended',
      category: 'USER_MGMT',
      action: 'update',
      target: { type: 'user', id: gil.id, name: gil.name },
    });
  });
  await pipeline.flush();
  await pipeline.shutdown();
  const r = lastMinutes(10);
  assert.ok(
    await eventually(async () => (await lokiEntries(TENANT, `{service_name="${targetService}"}`, r)).length === 1),
    'the event is in Loki'
  );
  const stored = JSON.stringify(await lokiEntries(TENANT, `{service_name="${targetService}"}`, r));
  assert.ok(!stored.includes(gil.name) && !stored.includes(gil.id), 'the target is stored encrypted');
  // A file made before, holding the target's name as revealed to the Admin, and named after it.
  const exp = await job('exports', {
    name: `Suspension of ${gil.name}`,
    format: 'csv',
    params: { service: targetService, from: r.from, to: r.to },
  });
  assert.ok((await download(`exports/${exp.id}/download`)).toString().includes(gil.name));

  const erased = await call('POST', 'subjects/erase', { subject: gil.id });
  assert.equal(erased.status, 200, JSON.stringify(erased.body));
  assert.ok(erased.body.filesDeleted >= 1, JSON.stringify(erased.body));
  assert.equal((await call('GET', `exports/${exp.id}`)).status, 404, 'the file naming the target is deleted');
  const db = path.join(cfg.dataDir, 'grafana', 'attest', 'jobs.db');
  for (const f of [db, `${db}-wal`].filter(fs.existsSync)) {
    const text = fs.readFileSync(f).toString('latin1');
    assert.ok(!text.includes(gil.name) && !text.includes(gil.id), `${path.basename(f)} names the target`);
  }
  const page = await resource('events', { service: targetService, from: r.from, to: r.to });
  assert.equal(page.body.events.length, 1);
  assert.equal(page.body.events[0].targetName, '[erased]');
  assert.equal(page.body.events[0].actorEmail, frank.email, 'the actor is not erased');
});
