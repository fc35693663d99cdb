// The counts datasource nested in the app, through the real Grafana and Loki: its counts equal LogQL's for
// the same filters, a Viewer gets counts but never people, the bundled dashboards are installed and every
// panel's query answers without error, and an alert rule a user builds on it in Grafana fires.
import assert from 'node:assert/strict';
import http from 'node:http';
import { before, test } from 'node:test';

import { generateEvents } from '../../scripts/demo/generator.mjs';
import { pushOtlp } from '../../scripts/demo/otlp.mjs';
import { GRAFANA_ADMIN } from '../../scripts/stack/lib.mjs';
import { PLUGIN_ID, cfg, createUser, eventually, grafana, lastMinutes, lokiEntries } from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const DS = 'attest-audit-counts';
const run = Date.now().toString(36);
const service = `counts-${run}`;
const COUNT = 300;
let range;
let loki;
let viewer;
let editor;

before(async () => {
  viewer = await createUser('Viewer', { prefix: 'counts-viewer' });
  editor = await createUser('Editor', { prefix: 'counts-editor' });
  const now = Date.now();
  const events = [
    ...generateEvents({ count: COUNT, startMillis: now - 240_000, endMillis: now - 1000, seed: 31, tenant: TENANT }),
  ];
  for (const e of events) {
    e.service = { name: service, environment: 'test' };
  }
  await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: TENANT, events });
  range = lastMinutes(10);
  loki = await eventually(
    async () => {
      const got = await lokiEntries(TENANT, `{service_name="${service}"}`, range);
      return got.length === COUNT ? got : undefined;
    },
    { timeoutMillis: 60_000 }
  );
  assert.ok(loki, 'the seeded events are in Loki');
});

const msRange = () => ({
  from: String(Number(BigInt(range.from) / 1_000_000n)),
  to: String(Number(BigInt(range.to) / 1_000_000n)),
});

function query(as, targets) {
  return grafana('POST', '/api/ds/query', {
    as,
    body: {
      ...msRange(),
      queries: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: { uid: DS }, ...t })),
    },
  });
}

const sum = (frames = []) => frames.reduce((s, f) => s + f.data.values[1].reduce((a, b) => a + b, 0), 0);
const byLabel = (frames, label) =>
  Object.fromEntries(
    frames.map((f) => [f.schema.fields[1].labels[label], f.data.values[1].reduce((a, b) => a + b, 0)])
  );
const countWhere = (pred) => loki.filter((e) => pred(e.labels)).length;
const rank = { INFO: 0, WARNING: 1, ERROR: 2, CRITICAL: 3 };

test('counts equal LogQL for the same filters, in total, per group and summed over time', async () => {
  const cases = [
    [{}, () => true],
    [{ categories: ['AUTH'] }, (l) => l.audit_category === 'AUTH'],
    [{ categories: ['AUTH', 'DATA_ACCESS'] }, (l) => ['AUTH', 'DATA_ACCESS'].includes(l.audit_category)],
    [{ severity: 'WARNING' }, (l) => rank[l.severity_text] >= rank.WARNING],
    [{ outcome: 'failure' }, (l) => l.audit_outcome === 'failure'],
    [
      { eventTypes: ['auth.login.failed', 'user.created'] },
      (l) => ['auth.login.failed', 'user.created'].includes(l.audit_event),
    ],
  ];
  for (const [filter, pred] of cases) {
    const want = countWhere(pred);
    const res = await query(viewer, [
      { mode: 'instant', service, ...filter },
      { mode: 'range', service, step: '1m', ...filter },
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(sum(res.body.results.A.frames), want, `instant ${JSON.stringify(filter)}`);
    assert.equal(sum(res.body.results.B.frames), want, `range ${JSON.stringify(filter)}`);
  }
  const grouped = await query(viewer, [{ mode: 'instant', service, groupBy: ['category'] }]);
  const want = {};
  for (const e of loki) {
    want[e.labels.audit_category] = (want[e.labels.audit_category] ?? 0) + 1;
  }
  assert.deepEqual(byLabel(grouped.body.results.A.frames, 'category'), want);
});

test('changedTo counts changes whose after state holds the value, whatever the key order', async () => {
  const now = Date.now();
  const events = [
    ...generateEvents({ count: 3, startMillis: now - 3000, endMillis: now - 1000, seed: 61, tenant: TENANT }),
  ];
  // Keys sorted, as a Go map serialises them: "after" comes before "before".
  const changes = [
    { after: { roles: ['admin', 'member'] }, before: { roles: ['member'] } },
    { after: { roles: ['member'] }, before: { roles: ['admin', 'member'] } },
    { after: { roles: ['it-admin'] }, before: { roles: ['member'] } },
  ];
  events.forEach((e, i) => {
    e.service = { name: `${service}-changes`, environment: 'test' };
    e.attributes['audit.changes'] = JSON.stringify(changes[i]);
  });
  await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: TENANT, events });
  range = lastMinutes(10);
  const count = async () =>
    sum(
      (await query(GRAFANA_ADMIN, [{ mode: 'instant', service: `${service}-changes`, changedTo: 'admin' }])).body
        .results.A.frames
    );
  assert.equal(
    await eventually(async () => ((await count()) > 0 ? count() : 0), { timeoutMillis: 30_000 }),
    1,
    'only the promotion'
  );
});

test('a Viewer gets counts but never people: actor breakdowns, actor filters and change matching are refused', async () => {
  for (const as of [viewer, editor]) {
    for (const t of [{ groupBy: ['actor'] }, { actor: 'alice.martin@acme.example' }, { changedTo: 'admin' }]) {
      const res = await query(as, [{ mode: 'instant', service, ...t }]);
      const a = res.body.results.A;
      assert.equal(a.status, 403, `${as.user} ${JSON.stringify(t)}`);
      assert.match(a.error, /Admin/);
      assert.equal((a.frames ?? []).length, 0);
    }
  }
  const admin = await query(GRAFANA_ADMIN, [{ mode: 'instant', service, groupBy: ['actor'] }]);
  assert.equal(sum(admin.body.results.A.frames), COUNT);
  const bad = await query(viewer, [{ mode: 'rows' }]);
  assert.equal(bad.body.results.A.status, 400);
  assert.match(bad.body.results.A.error, /mode/);

  const values = (as, field) =>
    grafana(
      'GET',
      `/api/datasources/uid/${DS}/resources/values?field=${field}&from=${msRange().from}&to=${msRange().to}`,
      { as }
    );
  const services = await values(viewer, 'service');
  assert.equal(services.status, 200);
  assert.ok(services.body.values.some((v) => v.value === service && v.count === COUNT));
  assert.equal((await values(viewer, 'actor')).status, 403);
  assert.equal((await values(GRAFANA_ADMIN, 'actor')).status, 200);
  assert.equal((await values(viewer, 'user_email')).status, 400);
});

/** A panel's targets as the dashboard would send them with every variable at All. */
function resolve(target) {
  const t = structuredClone(target);
  t.datasource = { uid: DS };
  if (t.service === '$service') {
    delete t.service;
  }
  if (Array.isArray(t.categories)) {
    t.categories = t.categories.filter((c) => !c.startsWith('$'));
  }
  return t;
}

test('the bundled dashboards are installed and every panel on the counts datasource answers without error', async () => {
  const list = await grafana('GET', `/api/plugins/${PLUGIN_ID}/dashboards`);
  assert.equal(list.status, 200);
  const bundled = Object.fromEntries(list.body.map((d) => [d.title, d]));
  assert.ok(bundled['Audit activity']?.imported, JSON.stringify(list.body));
  assert.ok(bundled['Audit pipeline health']?.imported, JSON.stringify(list.body));
  const prometheus = (await grafana('GET', '/api/datasources')).body.filter((d) => d.type === 'prometheus');
  let withData = 0;
  for (const uid of ['attest-audit-activity', 'attest-pipeline-health']) {
    const dash = await grafana('GET', `/api/dashboards/uid/${uid}`, { as: viewer });
    assert.equal(dash.status, 200, `${uid} readable by a Viewer`);
    for (const panel of dash.body.dashboard.panels) {
      if (panel.datasource?.type === 'prometheus') {
        // The Collector panels need a Prometheus datasource scraping the Collector; with one, they answer.
        if (prometheus.length > 0) {
          const pq = await grafana('POST', '/api/ds/query', {
            as: viewer,
            body: {
              ...msRange(),
              queries: panel.targets.map((t) => ({ ...t, datasource: { uid: prometheus[0].uid } })),
            },
          });
          assert.equal(pq.status, 200, `${uid} / ${panel.title}`);
        }
        continue;
      }
      const res = await query(viewer, panel.targets.map(resolve));
      assert.equal(res.status, 200, `${uid} / ${panel.title}: ${JSON.stringify(res.body)}`);
      for (const [ref, r] of Object.entries(res.body.results)) {
        assert.ok(!r.error, `${uid} / ${panel.title} ${ref}: ${r.error}`);
        withData += (r.frames ?? []).length > 0 ? 1 : 0;
      }
      for (const l of panel.fieldConfig.defaults.links ?? []) {
        assert.match(l.url, /^\/a\/attest-auditlog-app\/events\?/, `${panel.title} links into the Event viewer`);
      }
    }
    assert.ok(dash.body.dashboard.templating.list.some((v) => v.name === 'service'));
  }
  assert.ok(withData > 5, `${withData} panel queries returned frames`);
});

test('an alert rule a user builds on the datasource in Grafana fires', async () => {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const label = `countsds-${run}`;
  const folder = `user-${run}`;
  try {
    const cp = await grafana('POST', '/api/v1/provisioning/contact-points', {
      body: { name: label, type: 'webhook', settings: { url: `http://127.0.0.1:${server.address().port}/` } },
    });
    assert.equal(cp.status, 202, JSON.stringify(cp.body));
    const tree = (await grafana('GET', '/api/v1/provisioning/policies')).body;
    tree.routes = [
      { receiver: label, object_matchers: [['team', '=', label]], group_wait: '5s' },
      ...(tree.routes ?? []),
    ];
    assert.equal((await grafana('PUT', '/api/v1/provisioning/policies', { body: tree })).status, 202);
    assert.equal((await grafana('POST', '/api/folders', { body: { uid: folder, title: folder } })).status, 200);
    const rule = await grafana('POST', '/api/v1/provisioning/alert-rules', {
      body: {
        folderUID: folder,
        ruleGroup: 'g',
        orgID: 1,
        title: `Critical in ${service}`,
        condition: 'C',
        for: '0s',
        noDataState: 'OK',
        execErrState: 'Error',
        labels: { team: label },
        data: [
          {
            refId: 'A',
            datasourceUid: DS,
            relativeTimeRange: { from: 120, to: 0 },
            model: {
              refId: 'A',
              mode: 'instant',
              service,
              severity: 'CRITICAL',
              eventTypes: [`never.${run}`, `user.${run}`],
            },
          },
          {
            refId: 'B',
            datasourceUid: '__expr__',
            model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last' },
          },
          {
            refId: 'C',
            datasourceUid: '__expr__',
            model: {
              refId: 'C',
              type: 'threshold',
              expression: 'B',
              conditions: [{ evaluator: { type: 'gt', params: [0] } }],
            },
          },
        ],
      },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const group = (await grafana('GET', `/api/v1/provisioning/folder/${folder}/rule-groups/g`)).body;
    assert.equal(
      (
        await grafana('PUT', `/api/v1/provisioning/folder/${folder}/rule-groups/g`, {
          body: { ...group, interval: 10 },
        })
      ).status,
      200
    );
    const now = Date.now();
    const events = [...generateEvents({ count: 2, startMillis: now - 1000, endMillis: now, seed: 41, tenant: TENANT })];
    for (const e of events) {
      e.service = { name: service, environment: 'test' };
      e.attributes['audit.event'] = `user.${run}`;
      e.severityText = 'CRITICAL';
      e.severityNumber = 21;
    }
    await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: TENANT, events });
    const got = await eventually(() => received.find((b) => b.includes(`Critical in ${service}`)), {
      timeoutMillis: 120_000,
      intervalMillis: 500,
    });
    assert.ok(got, 'the webhook got the notification');
    assert.equal(JSON.parse(got).status, 'firing');
  } finally {
    server.close();
    await grafana('DELETE', `/api/folders/${folder}?forceDeleteRules=true`);
  }
});

test('what an Admin sees about people is recorded first; a user is never the scheduler, whatever his login', async () => {
  const admin = await createUser('Admin', { prefix: 'counts-admin' });
  const res = await query(admin, [{ mode: 'instant', service, groupBy: ['actor'] }]);
  assert.equal(res.body.results.A.status ?? 200, 200, JSON.stringify(res.body.results.A));
  // The seeded events, and any an earlier test of this file added to the service.
  assert.ok(sum(res.body.results.A.frames) >= COUNT);
  const listed = await grafana(
    'GET',
    `/api/datasources/uid/${DS}/resources/values?field=actor&from=${msRange().from}&to=${msRange().to}`,
    { as: admin }
  );
  assert.equal(listed.status, 200);
  const recs = await eventually(async () => {
    const got = await lokiEntries(
      TENANT,
      '{service_name="attest-grafana-app"} | audit_event=~"audit.counts.*"',
      lastMinutes(5)
    );
    const mine = got.filter((e) => e.labels.user_id === admin.user);
    const kinds = new Set(mine.map((e) => e.labels.audit_event));
    return kinds.has('audit.counts.queried') && kinds.has('audit.counts.actors.listed') ? mine : undefined;
  });
  const queried = recs.find((e) => e.labels.audit_event === 'audit.counts.queried');
  assert.match(queried.labels.audit_metadata, new RegExp(service), 'the record says what was asked');

  // A signed per-actor query, as the app writes it into its rules, sent by people: a Viewer who
  // calls himself grafana_scheduler, and a Viewer through Grafana's own alert-evaluation API.
  let schedulerLike = await grafana('POST', '/api/admin/users', {
    body: {
      name: 'grafana_scheduler',
      login: 'grafana_scheduler',
      email: 'grafana_scheduler@example.test',
      password: 'pw-grafana-scheduler',
      OrgId: 1,
    },
  });
  if (schedulerLike.status !== 200) {
    schedulerLike = await grafana('GET', '/api/users/lookup?loginOrEmail=grafana_scheduler');
  }
  await grafana('PATCH', `/api/orgs/1/users/${schedulerLike.body.id}`, { body: { role: 'Viewer' } });
  const impostor = { user: 'grafana_scheduler', password: 'pw-grafana-scheduler' };
  const signed = { mode: 'instant', service, groupBy: ['actor'], signature: 'c2lnbmVkLWJ5LXRoZS1hcHA' };
  const asImpostor = await query(impostor, [signed]);
  assert.equal(asImpostor.body.results.A.status, 403, JSON.stringify(asImpostor.body.results.A));
  const evalApi = await grafana('POST', '/api/v1/eval', {
    as: viewer,
    body: {
      data: [
        {
          refId: 'A',
          datasourceUid: DS,
          relativeTimeRange: { from: 600, to: 0 },
          model: { refId: 'A', datasource: { uid: DS, type: 'attest-auditcounts-datasource' }, ...signed },
        },
      ],
    },
  });
  const frames = evalApi.body?.results?.A?.frames ?? [];
  assert.ok(
    frames.every((f) => !f.schema?.fields?.some((fl) => fl.labels?.actor_email || fl.labels?.actor_ref)),
    `the alert-evaluation API handed a Viewer people: ${JSON.stringify(evalApi.body).slice(0, 300)}`
  );
});
