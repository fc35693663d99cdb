// The backend is the one door to the audit trail, tried as an attacker would against the real Grafana,
// Loki and Collector: other roles, anonymous callers, Grafana's own query paths, another org, hostile
// filters, a Collector that cannot record the read. Every read and refusal must land in the trail.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';

import { generateEvents } from '../../scripts/demo/generator.mjs';
import { pushOtlp } from '../../scripts/demo/otlp.mjs';
import { startService, stopService } from '../../scripts/stack/lib.mjs';
import {
  cfg,
  createUser,
  ensureSecondOrg,
  eventually,
  grafana,
  lastMinutes,
  lokiEntries,
  resource,
  serviceAccountToken,
  usersOfEachRole,
} from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const SECOND_TENANT = 'globex';
const marker = `door-${Date.now().toString(36)}`;
const HOSTILE = `"} |= "" or {x=~".*"} \`|\\ ${marker}`;
const ROUTES = ['events', 'events/count', 'overview', 'values?field=eventType', `events/${crypto.randomUUID()}`];
let users;
let range;
let secondOrg;

async function send(tenant, count, service, extra = {}) {
  const now = Date.now();
  const events = [...generateEvents({ count, startMillis: now - 120_000, endMillis: now - 1000, seed: 11, tenant })];
  for (const e of events) {
    e.service = { name: service, environment: 'test' };
    Object.assign(e, extra);
  }
  await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant, events });
  return events;
}

before(async () => {
  users = await usersOfEachRole();
  secondOrg = await ensureSecondOrg();
  users.SecondAdmin = await createUser('Admin', { prefix: 'second-admin', orgs: [secondOrg] });
  await send(TENANT, 120, marker);
  await send(TENANT, 1, marker, { body: `planted ${HOSTILE}` });
  await send(SECOND_TENANT, 30, marker);
  range = lastMinutes(10);
  const ok = await eventually(
    async () => (await lokiEntries(TENANT, `{service_name="${marker}"}`, range)).length >= 121
  );
  assert.ok(ok, 'the seeded events reached Loki');
});

const withRange = (p = {}) => ({ ...p, from: range.from, to: range.to });

test('an Admin reads events, counts and the overview exactly as Loki holds them', async () => {
  const loki = await lokiEntries(TENANT, `{service_name="${marker}"}`, range);
  const page = await resource('events', withRange({ service: marker, pageSize: '50' }));
  assert.equal(page.status, 200, JSON.stringify(page.body));
  assert.equal(page.body.events.length, 50);
  const newest = [...loki].sort((a, b) => (BigInt(b.ts) > BigInt(a.ts) ? 1 : BigInt(b.ts) < BigInt(a.ts) ? -1 : 0));
  assert.equal(page.body.events[0].tsNs, newest[0].ts);
  // Walk every page: each Loki event exactly once.
  const seen = [];
  let cursor;
  for (let i = 0; i < 20; i++) {
    const p = await resource('events', withRange({ service: marker, pageSize: '25', ...(cursor ? { cursor } : {}) }));
    seen.push(...p.body.events.map((e) => e.id));
    cursor = p.body.older;
    if (!cursor) {
      break;
    }
  }
  assert.equal(seen.length, loki.length);
  assert.deepEqual(new Set(seen), new Set(loki.map((e) => e.labels.audit_id)));
  const count = await resource('events/count', withRange({ service: marker }));
  assert.equal(count.body.total, loki.length);
  const overview = await resource('overview', withRange({ service: marker }));
  assert.equal(overview.status, 200);
  assert.equal(overview.body.total, loki.length);
  const auth = loki.filter((e) => e.labels.audit_category === 'AUTH').length;
  assert.equal(overview.body.byCategory.find((c) => c.name === 'AUTH')?.count ?? 0, auth);
  const detail = await resource(`events/${loki[0].labels.audit_id}`);
  assert.equal(detail.status, 200);
  assert.equal(detail.body.id, loki[0].labels.audit_id);
  assert.equal(detail.body.description, loki[0].line);
  const values = await resource('values', withRange({ field: 'service', service: marker }));
  assert.deepEqual(values.body.values, [{ name: marker, count: loki.length }]);
});

test('paging through the backend is exact when 60 events share one nanosecond', async () => {
  const service = `${marker}-tie`;
  const ts = BigInt(Date.now() - 30_000) * 1_000_000n + 123n;
  const events = [
    ...generateEvents({ count: 60, startMillis: Date.now() - 60_000, endMillis: Date.now(), seed: 5, tenant: TENANT }),
  ];
  for (const e of events) {
    e.service = { name: service, environment: 'test' };
    e.timeUnixNano = ts;
  }
  await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: TENANT, events });
  const r = lastMinutes(10);
  await eventually(async () => (await lokiEntries(TENANT, `{service_name="${service}"}`, r)).length >= 60);
  const walk = async (dir) => {
    const ids = [];
    let cursor;
    for (let i = 0; i < 10; i++) {
      const p = await resource('events', {
        service,
        from: r.from,
        to: r.to,
        pageSize: '25',
        ...(cursor ? { cursor } : {}),
      });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      ids.push(...p.body.events.map((e) => e.id));
      cursor = dir === 'older' ? p.body.older : p.body.newer;
      if (!cursor) {
        return { ids, last: p.body };
      }
    }
    throw new Error('did not end');
  };
  const down = await walk('older');
  assert.equal(down.ids.length, 60);
  assert.equal(new Set(down.ids).size, 60);
  assert.deepEqual(new Set(down.ids), new Set(events.map((e) => e.attributes['audit.id'])));
  // And back up from the last page.
  const up = [];
  let cursor = down.last.newer;
  while (cursor) {
    const p = await resource('events', { service, from: r.from, to: r.to, pageSize: '25', cursor });
    up.push(...p.body.events.map((e) => e.id));
    cursor = p.body.newer;
  }
  assert.equal(up.length + down.last.events.length, 60);
  assert.equal(new Set([...up, ...down.last.events.map((e) => e.id)]).size, 60);
});

test('Viewer, Editor, an Editor token and anonymous callers are refused on every route', async () => {
  const token = await serviceAccountToken('Editor');
  for (const [who, as, status] of [
    ['Viewer', users.Viewer, 403],
    ['Editor', users.Editor, 403],
    ['Editor service-account token', { token: token.token }, 403],
    ['anonymous', null, 401],
  ]) {
    for (const route of ROUTES) {
      const [path, qs] = route.split('?');
      const r = await resource(path, withRange(Object.fromEntries(new URLSearchParams(qs ?? ''))), { as });
      assert.equal(r.status, status, `${who} ${route}: ${JSON.stringify(r.body)}`);
      if (status === 403) {
        assert.equal(r.body.error, 'forbidden');
        assert.match(r.body.message, /Admin role/);
      }
      assert.ok(!JSON.stringify(r.body).includes(marker), `${who} ${route} leaks nothing`);
    }
  }
});

test('no datasource a Viewer can query returns audit rows: /api/ds/query and the datasource proxy', async () => {
  const all = await grafana('GET', '/api/datasources');
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.filter((d) => String(d.url).includes(`:${cfg.lokiPort}`)).map((d) => d.name),
    [],
    'no datasource points at the audit Loki'
  );
  const uids = [...all.body.map((d) => d.uid), 'attest-loki'];
  for (const as of [users.Viewer, users.Editor]) {
    for (const uid of uids) {
      const q = await grafana('POST', '/api/ds/query', {
        as,
        body: {
          from: String(Date.now() - 3_600_000),
          to: String(Date.now()),
          queries: [{ refId: 'A', datasource: { uid }, expr: `{service_name="${marker}"}`, queryType: 'range' }],
        },
      });
      assert.ok(!JSON.stringify(q.body).includes(marker), `ds/query ${uid}: ${q.status}`);
      const p = await grafana(
        'GET',
        `/api/datasources/proxy/uid/${uid}/loki/api/v1/query_range?query=${encodeURIComponent(`{service_name="${marker}"}`)}`,
        { as }
      );
      assert.ok(p.status >= 400, `proxy ${uid} answers ${p.status}`);
      assert.ok(!JSON.stringify(p.body).includes(marker));
    }
  }
});

test("an Admin of a second org reads only that org's tenant, even after pointing its app settings at the first", async () => {
  // Scoped to this test's service: on a stack in use, other producers write into the same tenant.
  const r = await resource('events', withRange({ service: marker, pageSize: '200' }), {
    as: users.SecondAdmin,
    org: secondOrg,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const secondLoki = await lokiEntries(SECOND_TENANT, `{service_name="${marker}"}`, range);
  const ids = new Set(r.body.events.map((e) => e.id));
  for (const e of secondLoki) {
    assert.ok(ids.has(e.labels.audit_id));
  }
  const firstIds = new Set(
    (await lokiEntries(TENANT, `{service_name="${marker}"}`, range)).map((e) => e.labels.audit_id)
  );
  assert.equal(r.body.events.filter((e) => firstIds.has(e.id)).length, 0);
  // The org admin may edit the app's settings in their org; the server-level map still decides the tenant.
  const hijack = await grafana('POST', '/api/plugins/attest-auditlog-app/settings', {
    as: users.SecondAdmin,
    org: secondOrg,
    body: { enabled: true, pinned: true, jsonData: { lokiUrl: cfg.lokiUrl, tenant: TENANT, readRole: 'Admin' } },
  });
  assert.equal(hijack.status, 200);
  const after = await resource('events', withRange({ service: marker, pageSize: '200' }), {
    as: users.SecondAdmin,
    org: secondOrg,
  });
  assert.equal(after.body.events.filter((e) => firstIds.has(e.id)).length, 0, '0 rows of the first org');
  const detail = await resource(`events/${[...firstIds][0]}`, {}, { as: users.SecondAdmin, org: secondOrg });
  assert.equal(detail.status, 404);
});

test('every view and every refusal is in the trail, with the right actor, hash-chained', async () => {
  const selfEvents = () => lokiEntries(TENANT, '{service_name="attest-grafana-app"}', lastMinutes(15));
  const found = await eventually(async () => {
    const all = await selfEvents();
    const denied = all.filter(
      (e) => e.labels.audit_event === 'audit.access.denied' && e.labels.user_id === users.Viewer.user
    );
    const viewed = all.filter((e) => e.labels.audit_event === 'audit.log.viewed' && e.labels.user_id === 'admin');
    const opened = all.filter((e) => e.labels.audit_event === 'audit.event.viewed' && e.labels.user_id === 'admin');
    return denied.length >= ROUTES.length && viewed.length > 0 && opened.length > 0 ? { all, denied, viewed } : null;
  });
  assert.ok(found, 'denied, viewed and opened records are in Loki');
  const d = found.denied[0];
  assert.equal(d.labels.audit_outcome, 'denied');
  assert.equal(d.labels.user_roles, 'Viewer');
  assert.equal(d.labels.user_email, users.Viewer.email);
  assert.equal(d.labels.severity_text, 'WARNING');
  assert.ok(
    found.viewed.some((e) => JSON.parse(e.labels.audit_metadata).service === marker),
    'the view records its filters'
  );
  const editorDenied = found.all.filter(
    (e) => e.labels.audit_event === 'audit.access.denied' && e.labels.user_id === users.Editor.user
  );
  assert.ok(editorDenied.length >= ROUTES.length);
  // Recompute every record's hash from what Loki stored (instrumentation/docs/hash-chain.md): the
  // backend keys its chain with the key in its data directory, named by audit.chain.key_id.
  const selfKey = Buffer.from(
    fs.readFileSync(path.join(cfg.dataDir, 'grafana', 'attest', 'self-audit-chain.key'), 'utf8').trim(),
    'hex'
  );
  // This test's own records (its users' views and refusals): on a stack in use, other records of the
  // backend's chain, or ones someone planted, are not this test's to judge.
  const ourUsers = new Set([users.Viewer.user, users.Editor.user, 'admin']);
  const ours = found.all.filter((e) => ourUsers.has(e.labels.user_id));
  assert.ok(ours.length >= 2 * ROUTES.length);
  const bySeq = new Map(found.all.map((e) => [`${e.labels.audit_chain_id}/${e.labels.audit_chain_seq}`, e]));
  for (const e of ours) {
    assert.match(e.labels.audit_chain_key_id ?? '', /^attest-app-[0-9a-f]{12}$/, 'the backend keys its chain');
    assert.equal(canonicalHash(e, selfKey), e.labels.audit_chain_hash, `hash of ${e.labels.audit_id}`);
    assert.notEqual(canonicalHash(e), e.labels.audit_chain_hash, 'an unkeyed hash does not pass');
    // Linked to the record before it in the chain, when that one is in the window.
    const before = bySeq.get(`${e.labels.audit_chain_id}/${Number(e.labels.audit_chain_seq) - 1}`);
    if (before && canonicalHash(before, selfKey) === before.labels.audit_chain_hash) {
      assert.equal(e.labels.audit_chain_prev, before.labels.audit_chain_hash, `link of ${e.labels.audit_id}`);
    }
  }
});

function canonicalHash(e, key) {
  const pairs = [['time_unix_nano', e.ts]];
  if (e.labels.severity_text) {
    pairs.push(['severity_text', e.labels.severity_text]);
  }
  if (e.line) {
    pairs.push(['body', e.line]);
  }
  for (const [k, v] of Object.entries(e.labels)) {
    if (/^(audit_|user_|client_|session_)/.test(k) && k !== 'audit_chain_hash' && v !== '') {
      pairs.push([k, v]);
    }
  }
  pairs.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  const text = pairs.map(([k, v]) => `${Buffer.byteLength(k)}:${k}${Buffer.byteLength(v)}:${v}`).join('');
  return (key ? crypto.createHmac('sha256', key) : crypto.createHash('sha256')).update(text).digest('hex');
}

test('hostile filter text stays literal', async () => {
  const r = await resource('events', withRange({ search: HOSTILE }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.events.length, 1);
  assert.equal(r.body.events[0].description, `planted ${HOSTILE}`);
  for (const text of ['.*', '"}', '\\', '`', '|~ ".*"', `${marker}"} or {service_name=~".+`]) {
    const a = await resource('events', withRange({ actor: text }));
    assert.equal(a.status, 200);
    assert.equal(a.body.events.length, 0, `actor ${text}`);
    const s = await resource('events', withRange({ service: text }));
    assert.equal(s.body.events.length, 0, `service ${text}`);
  }
});

test('bad requests get a 400 with a message, never a stack trace', async () => {
  const cases = [
    [{ category: 'NOPE' }, /category "NOPE"/],
    [{ severity: 'LOUD' }, /severity "LOUD"/],
    [{ outcome: 'maybe' }, /outcome/],
    [{ bogus: '1' }, /unknown parameter "bogus"/],
    [{ cursor: 'x1' }, /cursor/],
    [{ pageSize: '0' }, /pageSize/],
    [{ service: 'a\u0000b' }, /NUL/],
    [{ from: range.to, to: range.from }, /reversed/],
    [{ from: '0', to: range.to }, /longer than 366 days/],
    [{ from: 'yesterday' }, /from/],
  ];
  for (const [params, message] of cases) {
    const r = await resource('events', { ...withRange(), ...params });
    assert.equal(r.status, 400, `${JSON.stringify(params)} -> ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'bad_request');
    assert.match(r.body.message, message);
    assert.ok(!/goroutine|panic|\.go:\d+/.test(JSON.stringify(r.body)));
  }
  const noRange = await resource('overview', {});
  assert.equal(noRange.status, 400);
  const notUuid = await resource('events/not-a-uuid');
  assert.equal(notUuid.status, 400);
});

test('a read that cannot be recorded is refused (503), and served again once the Collector is back', async () => {
  await stopService('collector', { cfg });
  try {
    const r = await resource('events', withRange({ service: marker }));
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.equal(r.body.error, 'audit_unavailable');
    assert.ok(!JSON.stringify(r.body).includes(marker));
  } finally {
    await startService('collector', { cfg });
  }
  const again = await resource('events', withRange({ service: marker }));
  assert.equal(again.status, 200);
});
