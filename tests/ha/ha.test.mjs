// Grafana in high availability, on real servers: two Grafana servers (A and B) sharing one PostgreSQL
// (Grafana's database and the app's state), the keys directory and the files bucket, in front of the
// stack's Loki and Collector. Each run starts them fresh (new databases, new directories) and writes
// its events to the HA tenant (HA.tenant), so it reads only what it wrote.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import {
  GRAFANA_ADMIN,
  HA,
  buildBinaries,
  haServerUrl,
  lokiHeaders,
  otlpHeadersEnv,
  pgPassword,
  s3Root,
  stackConfig,
  startService,
  stopService,
} from '../../scripts/stack/lib.mjs';

const cfg = stackConfig();
// The stack's producer credential, for the audit pipeline (the Collector asks for one).
process.env.OTEL_EXPORTER_OTLP_HEADERS ??= otlpHeadersEnv(cfg);
const run = randomBytes(4).toString('hex');
const service = `ha-${run}`;
const RESOURCES = '/api/plugins/attest-auditlog-app/resources';
const auth = `Basic ${Buffer.from(`${GRAFANA_ADMIN.user}:${GRAFANA_ADMIN.password}`).toString('base64')}`;
const EVENTS = 30_000;
let started;
let verifyAt;

/** A resource route through one server ('grafana-a' or 'grafana-b'). */
async function call(server, method, p, body) {
  const res = await fetch(`${haServerUrl(server)}${RESOURCES}/${p}`, {
    method,
    headers: { Authorization: auth, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(120_000),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    // a file
  }
  return { status: res.status, json, bytes };
}

async function eventually(check, timeoutMillis = 120_000, intervalMillis = 500) {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const v = await check();
    if (v || Date.now() > deadline) {
      return v;
    }
    await new Promise((r) => setTimeout(r, intervalMillis));
  }
}

/** The backend's own records whose event type matches `pattern`, in the HA tenant since this run started. */
async function systemRecords(pattern) {
  const qs = new URLSearchParams({
    query: `{service_name="attest-grafana-app"} | audit_event=~"${pattern}"`,
    start: String(BigInt(started - 5_000) * 1_000_000n),
    end: String(BigInt(Date.now() + 60_000) * 1_000_000n),
    limit: '1000',
  });
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query_range?${qs}`, {
    headers: { ...lokiHeaders(HA.tenant), 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
  });
  const body = await res.json();
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result.flatMap((s) => s.values);
}

const psql = (db, sql) =>
  spawnSync('psql', ['-h', '127.0.0.1', '-p', String(cfg.pgPort), '-U', HA.pgUser, '-d', db, '-tAc', sql], {
    env: { ...process.env, PGPASSWORD: pgPassword(cfg) },
    encoding: 'utf8',
  });

const bucketFiles = () => {
  const dir = path.join(s3Root(cfg), HA.filesBucket, 'jobs');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/** Kills a server as a machine failure would: Grafana and its plugin processes at once. */
function crash(server) {
  const pid = Number(fs.readFileSync(path.join(cfg.runDir, `${server}.pid`), 'utf8'));
  process.kill(-pid, 'SIGKILL');
}

before(async () => {
  const bins = buildBinaries();
  await stopService('grafana-b', { cfg });
  await stopService('grafana-a', { cfg });
  await startService('postgres', { cfg, bins });
  // A fresh HA install each run: Grafana's database, the app's and the servers' directories. The keys
  // directory stays, as an operator's provisioned keys do (the tenant keeps earlier runs' records).
  for (const db of ['grafana', 'attest']) {
    assert.equal(psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).status, 0);
    assert.equal(psql('postgres', `CREATE DATABASE ${db}`).status, 0);
  }
  for (const s of ['grafana-a', 'grafana-b']) {
    fs.rmSync(path.join(cfg.dataDir, 'ha', s), { recursive: true, force: true });
  }
  // The daily verification runs at verify_at (UTC, hh:mm): two minutes ahead, so both servers are up by then.
  const at = new Date(Date.now() + 120_000);
  verifyAt = {
    hhmm: at.toISOString().slice(11, 16),
    ms: Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes()),
  };
  process.env.ATTEST_HA_VERIFY_AT = verifyAt.hhmm;
  started = Date.now();
  // A migrates Grafana's database first; B then joins it.
  await startService('grafana-a', { cfg, bins, timeoutMillis: 240_000 });
  await startService('grafana-b', { cfg, bins, timeoutMillis: 240_000 });
  // Both servers answer for org 1 (the backends started their background work with their process).
  for (const s of ['grafana-a', 'grafana-b']) {
    assert.equal((await call(s, 'GET', 'me')).status, 200);
  }

  const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-ha-'));
  const pipeline = createAuditPipeline({
    tenant: HA.tenant,
    serviceName: service,
    environment: 'test',
    url: cfg.otlpUrl,
    spoolDir: spool,
    meterProvider: false,
  });
  await runWithAuditContext({ actor: { id: `u-${run}`, name: 'HA Tester' }, tenant: HA.tenant }, async () => {
    for (let i = 0; i < EVENTS; i++) {
      pipeline.record({
        type: 'invoice.updated',
        category: 'DATA_MODIFY',
        action: 'update',
        description: `invoice ${i}`,
      });
      // In batches a producer's queue holds, so none waits in the spool.
      if (i % 1000 === 999) {
        await pipeline.flush();
      }
    }
  });
  await pipeline.flush();
  await pipeline.shutdown();
  const counted = await eventually(async () => {
    const n = await countOf(`{service_name="${service}"}`);
    return n >= EVENTS ? n : 0;
  }, 180_000);
  assert.equal(counted, EVENTS, 'every event reached Loki');
});

after(async () => {
  await stopService('grafana-b', { cfg });
  await stopService('grafana-a', { cfg });
});

async function countOf(selector) {
  const ms = Date.now() + 60_000 - (started - 60_000);
  const qs = new URLSearchParams({
    query: `sum(count_over_time(${selector} [${ms}ms]))`,
    time: String((Date.now() + 60_000) / 1000),
  });
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query?${qs}`, { headers: lokiHeaders(HA.tenant) });
  const body = await res.json();
  return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
}

const range = () => ({
  from: String(BigInt(started - 60_000) * 1_000_000n),
  to: String(BigInt(Date.now() + 60_000) * 1_000_000n),
});

test('both servers sign with the one key the operator shares', async () => {
  const a = (await call('grafana-a', 'GET', 'signing-key')).json;
  const b = (await call('grafana-b', 'GET', 'signing-key')).json;
  assert.ok(a.keyId);
  assert.deepEqual(a, b);
});

test('each server says its state is the shared database, and one of them does the background work', async () => {
  const health = [];
  for (const server of ['grafana-a', 'grafana-b']) {
    const res = await fetch(`${haServerUrl(server)}/api/plugins/attest-auditlog-app/health`, {
      headers: { Authorization: auth },
    });
    health.push(await res.json());
  }
  for (const h of health) {
    assert.equal(h.status, 'OK', JSON.stringify(h));
    assert.equal(h.details.state, 'shared PostgreSQL');
    assert.equal(h.details.filesBucket, HA.filesBucket);
  }
  assert.equal(health.filter((h) => h.details.leading).length, 1, 'one server leads');
});

test('an export started through A is listed, downloaded and checked through B; its files live in the bucket', async () => {
  const created = await call('grafana-a', 'POST', 'exports', {
    name: `HA export ${run}`,
    format: 'csv',
    params: { service, ...range() },
  });
  assert.equal(created.status, 202, created.bytes.toString());
  const id = created.json.id;
  const listed = await eventually(async () => {
    const j = (await call('grafana-b', 'GET', 'exports')).json?.exports?.find((e) => e.id === id);
    return j?.status === 'completed' ? j : undefined;
  });
  assert.ok(listed, 'B lists the export completed');
  assert.equal(listed.rows, EVENTS);
  const file = await call('grafana-b', 'GET', `exports/${id}/download`);
  assert.equal(file.status, 200);
  assert.equal(sha256(file.bytes), listed.sha256);
  assert.equal(
    file.bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.includes(service)).length,
    EVENTS
  );
  const m = (await call('grafana-b', 'GET', `exports/${id}/manifest`)).json;
  const checked = await call('grafana-b', 'POST', 'exports/verify', {
    file: file.bytes.toString('base64'),
    manifest: m.manifestText,
    signature: m.signature,
  });
  assert.equal(checked.json.valid, true, JSON.stringify(checked.json));
  // No server keeps the file: it is in the bucket, and a download leaves no copy behind.
  assert.ok(
    bucketFiles().some((f) => f.startsWith(`${id}.`)),
    'the export is in the files bucket'
  );
  for (const s of ['grafana-a', 'grafana-b']) {
    const files = path.join(cfg.dataDir, 'ha', s, 'attest', 'files');
    const left = fs.existsSync(files) ? fs.readdirSync(files, { recursive: true }).filter((f) => f.includes(id)) : [];
    assert.deepEqual(left, [], `${s} keeps no copy`);
  }
  // Deleted through B: gone from the bucket too.
  assert.equal((await call('grafana-b', 'DELETE', `exports/${id}`)).status, 204);
  assert.ok(!bucketFiles().some((f) => f.startsWith(`${id}.`)), 'the deleted export left the bucket');
  assert.equal((await call('grafana-a', 'GET', `exports/${id}`)).status, 404);
});

test('an export running on A is canceled through B', async () => {
  const created = await call('grafana-a', 'POST', 'exports', {
    name: `HA cancel ${run}`,
    format: 'xlsx',
    params: { service, ...range() },
  });
  assert.equal(created.status, 202, created.bytes.toString());
  const id = created.json.id;
  const running = await eventually(
    async () => (await call('grafana-b', 'GET', `exports/${id}`)).json?.status === 'running',
    60_000,
    50
  );
  assert.ok(running, 'the export runs');
  const canceled = await call('grafana-b', 'POST', `exports/${id}/cancel`);
  assert.equal(canceled.status, 202, canceled.bytes.toString());
  const done = await eventually(async () => {
    const j = (await call('grafana-a', 'GET', `exports/${id}`)).json;
    return j && j.status !== 'pending' && j.status !== 'running' ? j : undefined;
  }, 60_000);
  assert.equal(done?.status, 'canceled', JSON.stringify(done));
  assert.ok(!bucketFiles().some((f) => f.startsWith(`${id}.`)), 'a canceled export leaves nothing in the bucket');
});

test('the nightly retention run and the daily verification happen once across the two servers', async () => {
  // Both servers catch up the retention night missed at their first start, and both wait for verify_at.
  const wait = verifyAt.ms + 75_000 - Date.now();
  if (wait > 0) {
    await new Promise((r) => setTimeout(r, wait));
  }
  // Its outcome is the next test's business (the tenant holds earlier runs' records too): here, how many.
  const verified = await eventually(async () => {
    const v = await systemRecords('audit[.]integrity[.](verified|break_detected)');
    return v.length > 0 ? v : undefined;
  }, 120_000);
  await new Promise((r) => setTimeout(r, 10_000));
  assert.equal(
    (await systemRecords('audit[.]integrity[.](verified|break_detected)')).length,
    1,
    'one daily verification record'
  );
  assert.ok(verified);
  const runs = await systemRecords('audit[.]retention[.](pruned|refused|failed)');
  assert.equal(runs.length, 1, 'one retention run record');
  // Both servers show the same retention state (one document in the shared database).
  const a = (await call('grafana-a', 'GET', 'retention')).json;
  const b = (await call('grafana-b', 'GET', 'retention')).json;
  assert.deepEqual(a.runs, b.runs);
  assert.equal(a.runs.length, 1);
});

test('a report cut off by the death of server A is completed by server B', async () => {
  const created = await call('grafana-a', 'POST', 'reports', {
    type: 'Custom',
    name: `HA report ${run}`,
    from: new Date(started - 60_000).toISOString(),
    to: new Date(Date.now() + 60_000).toISOString(),
  });
  assert.equal(created.status, 202, created.bytes.toString());
  const id = created.json.id;
  const running = await eventually(
    async () => (await call('grafana-b', 'GET', `reports/${id}`)).json?.status === 'running',
    60_000,
    50
  );
  assert.ok(running, 'the report runs on A');
  crash('grafana-a');
  await stopService('grafana-a', { cfg });
  const done = await eventually(
    async () => {
      const j = (await call('grafana-b', 'GET', `reports/${id}`)).json;
      return j && j.status !== 'pending' && j.status !== 'running' ? j : undefined;
    },
    180_000,
    1000
  );
  assert.equal(done?.status, 'completed', JSON.stringify(done));
  assert.ok(done.rows >= EVENTS, `the pack holds the ${EVENTS} events and more (${done.rows})`);
  const pack = await call('grafana-b', 'GET', `reports/${id}/download`);
  assert.equal(pack.status, 200);
  assert.equal(sha256(pack.bytes), done.sha256);
  // After A's death B does the background work: the lease (advisory lock "attest") is held again, by B.
  const lease = await eventually(async () => {
    const r = psql(
      'attest',
      `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = ${0x6174} AND objid = ${0x74657374}`
    );
    return r.stdout.trim() === '1';
  }, 60_000);
  assert.ok(lease, 'one server holds the background lease');
});

test('the chain heads are one record both servers keep, and B verifies the chains A wrote', async () => {
  const docs = psql(
    'attest',
    `SELECT count(*) FROM tenant_documents WHERE kind = 'chain-heads-' AND tenant = '${HA.tenant}'`
  );
  assert.equal(docs.stdout.trim(), '1', docs.stderr);
  const created = await call('grafana-b', 'POST', 'integrity/verifications', {
    from: String(BigInt(started - 60_000) * 1_000_000n),
    to: String(BigInt(Date.now() + 5_000) * 1_000_000n),
    service: 'attest-grafana-app',
  });
  assert.equal(created.status, 202, created.bytes.toString());
  const v = await eventually(async () => {
    const l = (await call('grafana-b', 'GET', 'integrity/verifications')).json?.verifications ?? [];
    const j = l.find((x) => x.id === created.json.id);
    return j && j.status !== 'pending' && j.status !== 'running' ? j : undefined;
  }, 180_000);
  assert.equal(v?.status, 'completed', JSON.stringify(v));
  // The backend's own chains of both servers, keyed with the shared key, verify on B.
  assert.equal(v.summary.ok, true, JSON.stringify(v.summary).slice(0, 2000));
  assert.ok(v.summary.chains >= 2, `chains of both servers verified: ${v.summary.chains}`);
  assert.equal(v.summary.problemCount, 0);
});
