// Tenancy against an org Admin, tried as one would against the real Grafana, gateway, Loki and
// Collector: Grafana datasources aimed at the audit store, an org's own store setting, and changes of
// the safety switches, which must be recorded before they serve anything.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { addGatewayUser, lokiHeaders, startService, stopService } from '../../scripts/stack/lib.mjs';
import {
  PLUGIN_ID,
  RESOURCES,
  cfg,
  createUser,
  ensureSecondOrg,
  eventually,
  grafana,
  lastMinutes,
  lokiEntries,
  resource,
} from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const SECOND_TENANT = 'globex';
const QUERY = '{service_name=~".+"}';
let org2;
let org2Admin;

before(async () => {
  org2 = await ensureSecondOrg();
  org2Admin = await createUser('Admin', { prefix: 'org2-admin', orgs: [org2] });
});

/** Rows a datasource query through /api/ds/query returned (0 on any refusal), and the answer. */
async function rowsVia(as, org, uid) {
  const now = Date.now();
  const res = await grafana('POST', '/api/ds/query', {
    as,
    org,
    body: {
      from: String(now - 3_600_000),
      to: String(now),
      queries: [{ refId: 'A', datasource: { uid }, expr: QUERY, queryType: 'range', maxLines: 1000 }],
    },
  });
  const frames = res.body?.results?.A?.frames ?? [];
  const rows = frames.reduce((n, f) => n + (f.data?.values?.[0]?.length ?? 0), 0);
  return { rows, status: res.status, error: res.body?.results?.A?.error ?? res.body?.message };
}

async function createDatasource(as, org, ds) {
  const res = await grafana('POST', '/api/datasources', { as, org, body: { access: 'proxy', ...ds } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.datasource.uid;
}

test('an org Admin who aims Grafana datasources at the audit store reads 0 rows and cannot push', async () => {
  // The tenant does hold rows: the operator's credential reads them through the gateway.
  const { from, to } = lastMinutes(60);
  const held = await lokiEntries(TENANT, QUERY, { from, to });
  assert.ok(held.length > 0, 'acme holds rows to be stolen');

  // A tenant credential of the attacker's own: the gateway sets its tenant, whatever header it sends.
  const own = `attacker-${crypto.randomBytes(4).toString('hex')}`;
  addGatewayUser(cfg, own, `${own}-pw`);
  const gateway = cfg.lokiUrl;
  const grpc = `http://127.0.0.1:${cfg.lokiGrpcPort}`;
  const tries = [
    { what: 'gateway, no credential, guessed tenant header', url: gateway, header: TENANT },
    { what: 'gateway, no credential, no header', url: gateway },
    { what: 'gateway, guessed service password', url: gateway, header: TENANT, basic: ['attest-service', 'admin'] },
    {
      what: "gateway, the attacker's own tenant credential and acme's header",
      url: gateway,
      header: TENANT,
      basic: [own, `${own}-pw`],
    },
    { what: "Loki's gRPC listener", url: grpc, header: TENANT },
    { what: 'Loki on its usual port of another host name', url: 'http://localhost:3100', header: TENANT },
  ];
  for (const t of tries) {
    const uid = await createDatasource(org2Admin, org2, {
      name: `steal ${t.what} ${crypto.randomBytes(3).toString('hex')}`,
      type: 'loki',
      url: t.url,
      basicAuth: Boolean(t.basic),
      basicAuthUser: t.basic?.[0],
      jsonData: t.header ? { httpHeaderName1: 'X-Scope-OrgID' } : {},
      secureJsonData: {
        ...(t.header ? { httpHeaderValue1: t.header } : {}),
        ...(t.basic ? { basicAuthPassword: t.basic[1] } : {}),
      },
    });
    const got = await rowsVia(org2Admin, org2, uid);
    assert.equal(got.rows, 0, `${t.what}: ${got.rows} rows (${got.status} ${got.error})`);
    // The datasource proxy: refused by Grafana's whitelist before it reaches anything.
    const qs = new URLSearchParams({ query: QUERY, start: from, end: to, limit: '1000' });
    const proxied = await grafana('GET', `/api/datasources/proxy/uid/${uid}/loki/api/v1/query_range?${qs}`, {
      as: org2Admin,
      org: org2,
    });
    const proxiedRows = proxied.body?.data?.result?.reduce?.((n, s) => n + s.values.length, 0) ?? 0;
    assert.equal(proxiedRows, 0, `${t.what} via the proxy: ${proxied.status}`);
    assert.notEqual(proxied.status, 200, `${t.what} via the proxy answered 200`);
    const pushed = await grafana('POST', `/api/datasources/proxy/uid/${uid}/loki/api/v1/push`, {
      as: org2Admin,
      org: org2,
      body: { streams: [{ stream: { service_name: 'forged' }, values: [[`${Date.now()}000000`, 'forged']] }] },
    });
    assert.ok(pushed.status >= 400, `${t.what}: a push answered ${pushed.status}`);
  }

  // Straight at the gateway, as anyone on the machine: no credential, a guessed one, a tenant's own.
  const noCred = await fetch(
    `${gateway}/loki/api/v1/query_range?${new URLSearchParams({ query: QUERY, start: from, end: to })}`,
    {
      headers: { 'X-Scope-OrgID': TENANT },
    }
  );
  assert.equal(noCred.status, 401);
  const asOwn = await fetch(
    `${gateway}/loki/api/v1/query_range?${new URLSearchParams({ query: QUERY, start: from, end: to })}`,
    {
      headers: {
        'X-Scope-OrgID': TENANT,
        Authorization: `Basic ${Buffer.from(`${own}:${own}-pw`).toString('base64')}`,
      },
    }
  );
  assert.equal(asOwn.status, 200);
  assert.equal(
    (await asOwn.json()).data.result.length,
    0,
    "a tenant credential reads its own tenant, not the header's"
  );
  const forged = await fetch(`${gateway}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Scope-OrgID': TENANT },
    body: JSON.stringify({ streams: [{ stream: { service_name: 'forged' }, values: [[`${Date.now()}000000`, 'x']] }] }),
  });
  assert.equal(forged.status, 401, 'a push without a credential is refused');
  const stillThere = await lokiEntries(TENANT, '{service_name="forged"}', { from, to: lastMinutes(1).to });
  assert.equal(stillThere.length, 0, 'no forged entry reached acme');
});

/** What Loki counts for the tenant over [from, to) ns: LogQL's own number. */
async function logqlCount(tenant, { from, to }, selector = QUERY) {
  const rangeMs = Number((BigInt(to) - BigInt(from)) / 1_000_000n);
  const qs = new URLSearchParams({
    query: `sum(count_over_time(${selector}[${rangeMs}ms]))`,
    time: String(BigInt(to) - 1n),
  });
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query?${qs}`, { headers: lokiHeaders(tenant) });
  const body = await res.json();
  return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
}

/** A Loki stand-in on 127.0.0.1 that records every request it gets. */
function recordingLoki() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['x-scope-orgid'] ?? ''}`);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'streams', result: [] } }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}` }))
  );
}

async function setOrgSettings(org, jsonData) {
  const cur = await grafana('GET', `/api/plugins/${PLUGIN_ID}/settings`, { org });
  const res = await grafana('POST', `/api/plugins/${PLUGIN_ID}/settings`, {
    org,
    body: { enabled: true, pinned: true, jsonData: { ...(cur.body.jsonData ?? {}), ...jsonData } },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

let fake;
after(async () => {
  if (org2) {
    await setOrgSettings(org2, { lokiUrl: '', readRole: 'Admin' });
  }
  fake?.server.close();
});

test("org 2's own lokiUrl receives nothing, even when org 2 reaches the app first after a restart", async () => {
  fake = await recordingLoki();
  await setOrgSettings(org2, { lokiUrl: fake.url, tenant: TENANT });
  await stopService('grafana', { cfg });
  await startService('grafana', { cfg, timeoutMillis: 120_000 });
  // Org 2 first and often, while the background work runs (checkpoints every 5 s).
  const until = Date.now() + 15_000;
  const { from, to } = lastMinutes(60);
  while (Date.now() < until) {
    await Promise.all([
      grafana('GET', `/api/plugins/${PLUGIN_ID}/health`, { org: org2 }),
      resource('me', {}, { org: org2 }),
      resource('overview', { from, to }, { org: org2 }),
      resource('events', { from, to }, { org: org2 }),
    ]);
  }
  assert.deepEqual(fake.seen, [], 'the recording Loki was called');
  const health = await grafana('GET', `/api/plugins/${PLUGIN_ID}/health`, { org: org2 });
  assert.equal(health.body.details.tenant, SECOND_TENANT, 'the tenant comes from the server map');
  assert.equal(health.body.details.ignoredLokiUrl, fake.url);
  assert.notEqual(health.body.details.lokiUrl, fake.url);

  // Org 1 still reads its own trail, equal to LogQL over the same range, both read at one moment (a
  // range that ended a minute ago; a record the Collector still held may land in between, so again).
  const endMs = Date.now() - 60_000;
  const past = { from: String(BigInt(endMs - 3_600_000) * 1_000_000n), to: String(BigInt(endMs) * 1_000_000n) };
  const seen = [];
  const same = await eventually(
    async () => {
      const [count, overview] = await Promise.all([logqlCount(TENANT, past), resource('overview', past, { org: 1 })]);
      assert.equal(overview.status, 200, JSON.stringify(overview.body));
      seen.push([overview.body.total, count]);
      return overview.body.total === count ? lokiEntries(TENANT, QUERY, past) : undefined;
    },
    { timeoutMillis: 30_000, intervalMillis: 2000 }
  );
  assert.ok(same, `org 1 Overview equals LogQL (overview, LogQL): ${JSON.stringify(seen)}`);
  const logql = same;
  // Its chains verify over that range, every record LogQL holds, and every kept head matches Loki.
  // One verification at a time per org: wait for one another test started to end.
  const started = await eventually(
    async () => {
      const r = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
        body: { ...past, service: 'attest-grafana-app' },
      });
      return r.status === 429 ? undefined : r;
    },
    { timeoutMillis: 180_000, intervalMillis: 2000 }
  );
  assert.equal(started?.status, 202, JSON.stringify(started?.body));
  const summary = await eventually(
    async () => {
      const list = await grafana('GET', `${RESOURCES}/integrity/verifications`);
      const v = list.body.verifications.find((x) => x.id === started.body.id);
      return v?.status === 'completed' ? v.summary : undefined;
    },
    { timeoutMillis: 120_000, intervalMillis: 500 }
  );
  const chained = logql.filter((e) => e.labels.service_name === 'attest-grafana-app' && e.labels.audit_chain_id);
  assert.equal(summary.records, chained.length, 'the verification read every chained record LogQL holds');
  assert.equal(summary.checkpoints.matched, summary.checkpoints.checked, JSON.stringify(summary.checkpoints));
  // A report over the same range selects what LogQL counts (the backend's own COMPLIANCE records).
  const fromMs = Number(BigInt(past.from) / 1_000_000n);
  const report = await grafana('POST', `${RESOURCES}/reports`, {
    body: {
      type: 'Custom',
      name: `tenancy ${Date.now()}`,
      from: new Date(fromMs).toISOString(),
      to: new Date(endMs).toISOString(),
      categories: ['COMPLIANCE'],
    },
  });
  assert.equal(report.status, 202, JSON.stringify(report.body));
  const done = await eventually(
    async () => {
      const r = await grafana('GET', `${RESOURCES}/reports/${report.body.id}`);
      return r.status === 200 && !['pending', 'running'].includes(r.body.status) ? r.body : undefined;
    },
    { timeoutMillis: 180_000, intervalMillis: 1000 }
  );
  assert.equal(done.status, 'completed', JSON.stringify(done));
  const compliance = await logqlCount(TENANT, past, '{service_name=~".+", audit_category="COMPLIANCE"}');
  assert.equal(done.rows, compliance, 'the report selects what LogQL counts');
  // The change was recorded in org 2's tenant, naming the store it ignores.
  await eventually(async () => {
    const recs = await lokiEntries(
      SECOND_TENANT,
      '{service_name="attest-grafana-app"} | audit_event=~"audit.config.(changed|applied)"',
      {
        from,
        to: lastMinutes(1).to,
      }
    );
    return recs.some((r) => (r.labels?.audit_changes ?? r.line).includes(fake.url)) || undefined;
  });
});

test('a change of the read role is recorded in the org tenant before it serves a request', async () => {
  const viewer = await createUser('Viewer', { prefix: 'org2-viewer', orgs: [org2] });
  await setOrgSettings(org2, { readRole: 'Viewer' });
  const { from, to } = lastMinutes(10);
  // The first request after the change makes the new instance, which records the change first.
  const read = await grafana('GET', `${RESOURCES}/events?${new URLSearchParams({ from, to })}`, {
    as: viewer,
    org: org2,
  });
  assert.equal(read.status, 200, JSON.stringify(read.body));
  const recs = await eventually(async () => {
    const r = await lokiEntries(
      SECOND_TENANT,
      '{service_name="attest-grafana-app"} | audit_event=~"audit.config.changed|audit.log.viewed"',
      {
        from,
        to: lastMinutes(1).to,
      }
    );
    const change = r.find(
      (e) =>
        e.labels?.audit_event === 'audit.config.changed' &&
        (e.labels?.audit_changes ?? '').includes('"readRole":"Viewer"')
    );
    const view = r.find((e) => e.labels?.audit_event === 'audit.log.viewed' && e.labels?.user_id === viewer.user);
    return change && view ? { change, view } : undefined;
  });
  assert.ok(BigInt(recs.change.ts) < BigInt(recs.view.ts), 'the change is in the trail before the read it allowed');
  const changes = JSON.parse(recs.change.labels.audit_changes);
  assert.equal(changes.before.readRole, 'Admin');
  assert.equal(changes.after.readRole, 'Viewer');
  await setOrgSettings(org2, { readRole: 'Admin' });
});

test('the operator reads through the gateway as any tenant; Loki itself has no TCP listener', async () => {
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/labels`, { headers: lokiHeaders(TENANT) });
  assert.equal(res.status, 200);
  const direct = await fetch(`http://127.0.0.1:${cfg.lokiGrpcPort}/loki/api/v1/labels`, {
    headers: { 'X-Scope-OrgID': TENANT },
  }).catch((e) => ({ status: 0, error: e }));
  assert.notEqual(direct.status, 200);
});
