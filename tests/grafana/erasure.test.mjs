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
import { subjectKeysDir } from '../../scripts/stack/lib.mjs';
import { RESOURCES, cfg, createUser, eventually, grafana, lastMinutes, lokiEntries, resource } from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const run = randomBytes(4).toString('hex');
const service = `erasure-${run}`;
const erin = { id: `u-erin-${run}`, email: `erin.${run}@example.com`, name: `Erin Quist ${run}` };
const frank = { id: `u-frank-${run}`, email: `frank.${run}@example.com`, name: `Frank Ode ${run}` };
const erinMarks = [erin.id, erin.email, erin.name, erin.email.toUpperCase()];
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
    return e.length === 5 ? e : undefined;
  });
  assert.ok(got, 'the five events are in Loki');
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
  assert.equal(hers.body.events.length, 3, 'the actor filter finds her encrypted events');
});

test('erasure: only an Admin; afterwards nothing names her, every event stays and the chain verifies', async () => {
  // Files made before: an export filtered on her, holding her identity.
  const exp = await job('exports', {
    name: `Access of ${erin.email}`,
    format: 'jsonl',
    params: { service, actor: erin.email, from: range.from, to: range.to },
  });
  assert.ok(mentionsErin((await download(`exports/${exp.id}/download`)).toString()));
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
  const ownRecords = async () =>
    JSON.stringify(await lokiEntries(TENANT, '{service_name="attest-grafana-app"}', lastMinutes(15)));
  assert.ok(!mentionsErin(await ownRecords()), 'the backend’s own records in Loki never hold her in clear');

  const erased = await call('POST', 'subjects/erase', { subject: erin.email.toUpperCase() });
  assert.equal(erased.status, 200, JSON.stringify(erased.body));
  assert.match(erased.body.subjectRef, /^[0-9a-f]{32}$/);
  assert.ok(erased.body.filesDeleted >= 1 && erased.body.jobsScrubbed >= 1, JSON.stringify(erased.body));
  assert.equal((await call('POST', 'subjects/erase', { subject: erin.id })).status, 404, 'already erased');

  // The backend's own records: what named her opens to nothing now.
  const after = await requested();
  assert.equal(after.targetName, '[erased]');
  assert.ok(!mentionsErin(JSON.stringify(after)), 'the export request names her no more');
  assert.ok(!mentionsErin(await ownRecords()));
  const seals = path.join(cfg.dataDir, 'grafana', 'attest', 'seals.db');
  for (const f of [seals, `${seals}-wal`].filter(fs.existsSync)) {
    assert.ok(!mentionsErin(fs.readFileSync(f).toString('latin1')), `${path.basename(f)} names her`);
  }

  // Every file the backend keeps (job and count databases with their WALs, sealed-value keys, export,
  // report and archive files, chain heads, settings): none holds an identifier of hers.
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const f = path.join(dir, d.name);
      return d.isDirectory() ? walk(f) : d.isFile() ? [f] : [];
    });
  const holding = walk(path.join(cfg.dataDir, 'grafana', 'attest')).filter((f) =>
    mentionsErin(fs.readFileSync(f).toString('latin1'))
  );
  assert.deepEqual(holding, [], 'files of the data directory that name her');

  // The viewer: all five events, hers without her.
  const page = await resource('events', { service, from: range.from, to: range.to, pageSize: '25' });
  assert.equal(page.body.events.length, 5);
  assert.ok(!mentionsErin(JSON.stringify(page.body)), 'the viewer shows no identity of hers');
  assert.equal(page.body.events.filter((e) => e.actorEmail === '[erased]').length, 3);
  assert.ok(
    page.body.events.some((e) => e.actorEmail === frank.email),
    'Frank is not erased'
  );

  // Job tables and files: the old export is gone, no job names her.
  assert.equal((await call('GET', `exports/${exp.id}`)).status, 404);
  assert.ok(!mentionsErin(JSON.stringify((await call('GET', 'exports')).body)));
  const db = path.join(cfg.dataDir, 'grafana', 'attest', 'jobs.db');
  for (const f of [db, `${db}-wal`].filter(fs.existsSync)) {
    assert.ok(!mentionsErin(fs.readFileSync(f).toString('latin1')), `${path.basename(f)} names her`);
  }

  // Later exports and reports do not name her.
  const later = await job('exports', {
    name: 'after erasure',
    format: 'csv',
    params: { service, from: range.from, to: range.to },
  });
  const csv = (await download(`exports/${later.id}/download`)).toString();
  assert.equal(csv.trim().split('\n').length, 6, 'header and five rows');
  assert.ok(!mentionsErin(csv));
  const now = new Date().toISOString();
  const rep = await job('reports', {
    type: 'Custom',
    name: `after erasure ${run}`,
    from: new Date(Number(BigInt(range.from) / 1_000_000n)).toISOString(),
    to: now,
  });
  const zip = (await download(`reports/${rep.id}/download`)).toString('latin1');
  assert.ok(!mentionsErin(zip), 'the pack (its PDF is compressed; its JSONL and CSV are in the ZIP) names her not');

  // Every record still verifies: nothing in Loki changed.
  const v = await call('POST', 'integrity/verifications', { from: range.from, to: range.to, service });
  assert.equal(v.status, 202);
  const verified = await eventually(async () => {
    const list = (await call('GET', 'integrity/verifications')).body.verifications;
    const x = list.find((y) => y.id === v.body.id);
    return x && x.status === 'completed' ? x.summary : undefined;
  });
  assert.equal(verified.problemCount, 0, JSON.stringify(verified.problems));
  assert.equal(verified.records, 5);

  // The erasure is recorded, with the ref and without the identity.
  const rec = await eventually(async () => {
    const got = await lokiEntries(
      TENANT,
      '{service_name="attest-grafana-app"} | audit_event="audit.subject.erased"',
      lastMinutes(10)
    );
    return got.find((e) => e.labels.audit_target_id === erased.body.subjectRef);
  });
  assert.ok(rec, 'the erasure is in the trail');
  assert.ok(!mentionsErin(JSON.stringify(rec)));
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
