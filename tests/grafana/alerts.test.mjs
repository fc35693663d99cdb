// Audit alerts through the real Grafana Alerting: rules made through the app's routes are Grafana rules
// that evaluate the counts datasource, fire on matching events and reach a webhook contact point served
// here on 127.0.0.1; paused rules stay silent; Test delivers; only org Admins manage rules; every change
// is in the trail.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { generateEvents } from '../../scripts/demo/generator.mjs';
import { pushOtlp } from '../../scripts/demo/otlp.mjs';
import { GRAFANA_ADMIN, configureAppToken } from '../../scripts/stack/lib.mjs';
import { RESOURCES, PLUGIN_ID, cfg, createUser, eventually, grafana, lastMinutes, lokiEntries } from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const run = Date.now().toString(36);
const service = `alerts-${run}`;
const hookName = `attest-test-hook-${run}`;
const received = [];
let server;
let hookUrl;
let viewer;
let editor;

const call = (method, path, { as = GRAFANA_ADMIN, body } = {}) => grafana(method, `${RESOURCES}/${path}`, { as, body });

/** Emits `count` events of one type for this run's service, `secondsAgo` before now. */
async function emit(eventType, { count = 1, category = 'SECURITY', severity = 'CRITICAL', seed = 1 } = {}) {
  const now = Date.now();
  const events = [...generateEvents({ count, startMillis: now - 2000, endMillis: now - 1000, seed, tenant: TENANT })];
  for (const e of events) {
    e.service = { name: service, environment: 'test' };
    e.attributes['audit.event'] = eventType;
    e.attributes['audit.category'] = category;
    e.severityText = severity;
    e.severityNumber = { INFO: 9, WARNING: 13, ERROR: 17, CRITICAL: 21 }[severity];
  }
  await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: TENANT, events });
  return now;
}

const deliveriesFor = (uid) =>
  received.filter((n) => n.body.alerts?.some((a) => a.labels?.attest_rule_uid === uid && !a.labels?.attest_test));

function rule(overrides = {}) {
  return {
    name: `Critical security ${run}`,
    description: 'test rule',
    categories: ['SECURITY'],
    severity: 'ERROR',
    eventTypes: [`alerttest.${run}.fire`],
    threshold: 1,
    windowMinutes: 5,
    contactPoints: [hookName],
    active: true,
    ...overrides,
  };
}

before(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      try {
        received.push({ at: Date.now(), body: JSON.parse(data) });
      } catch {
        received.push({ at: Date.now(), body: { raw: data } });
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${server.address().port}/hook`;
  viewer = await createUser('Viewer', { prefix: 'alerts-viewer' });
  editor = await createUser('Editor', { prefix: 'alerts-editor' });
  await configureAppToken(cfg, 1);
  // Evaluate every 10 s here (the product default is 1 min).
  const settings = await grafana('GET', `/api/plugins/${PLUGIN_ID}/settings`);
  const res = await grafana('POST', `/api/plugins/${PLUGIN_ID}/settings`, {
    body: {
      enabled: true,
      pinned: true,
      jsonData: { ...settings.body.jsonData, alertInterval: '10s' },
    },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const cp = await call('POST', 'alerts/contact-points', { body: { name: hookName, type: 'webhook', url: hookUrl } });
  assert.equal(cp.status, 201, JSON.stringify(cp.body));
});

after(() => server?.close());

test('a contact point made from the page is a Grafana contact point; a second one of the same name is refused', async () => {
  const list = await call('GET', 'alerts/contact-points');
  assert.equal(list.status, 200);
  assert.ok(list.body.contactPoints.some((c) => c.name === hookName && c.types.includes('webhook')));
  const again = await call('POST', 'alerts/contact-points', {
    body: { name: hookName, type: 'webhook', url: hookUrl },
  });
  assert.equal(again.status, 400);
  assert.equal(again.body.error, 'invalid_name');
  const badUrl = await call('POST', 'alerts/contact-points', {
    body: { name: `x-${run}`, type: 'webhook', url: 'ftp://x' },
  });
  assert.equal(badUrl.status, 400);
  assert.match(badUrl.body.message, /URL/);
});

test('a rule fires on matching events and its webhook gets the notification; a paused rule stays silent', async () => {
  const fire = await call('POST', 'alerts', { body: rule() });
  assert.equal(fire.status, 201, JSON.stringify(fire.body));
  const paused = await call('POST', 'alerts', {
    body: rule({ name: `Paused ${run}`, eventTypes: [`alerttest.${run}.paused`], active: false }),
  });
  assert.equal(paused.status, 201, JSON.stringify(paused.body));

  // It is a Grafana rule in the app's folder, evaluating the counts datasource, routed to the webhook.
  const g = await grafana('GET', `/api/v1/provisioning/alert-rules/${fire.body.uid}`);
  assert.equal(g.status, 200);
  assert.equal(g.body.folderUID, 'attest-audit-alerts');
  assert.equal(g.body.isPaused, false);
  assert.equal(g.body.data[0].datasourceUid, 'attest-audit-counts');
  assert.equal((await grafana('GET', `/api/v1/provisioning/alert-rules/${paused.body.uid}`)).body.isPaused, true);
  const tree = (await grafana('GET', '/api/v1/provisioning/policies')).body;
  assert.ok(
    tree.routes.some((r) => r.receiver === hookName && JSON.stringify(r.object_matchers).includes(fire.body.uid)),
    'a notification policy routes the rule to the webhook'
  );

  // Non-matching events (a severity below the threshold) first: they must not fire it.
  await emit(`alerttest.${run}.fire`, { severity: 'WARNING', seed: 2 });
  const emittedAt = await emit(`alerttest.${run}.fire`, { count: 3, seed: 3 });
  await emit(`alerttest.${run}.paused`, { count: 3, seed: 4 });
  const delivered = await eventually(() => deliveriesFor(fire.body.uid)[0], {
    timeoutMillis: 150_000,
    intervalMillis: 500,
  });
  assert.ok(delivered, 'the webhook got the notification within 150 s');
  const alert = delivered.body.alerts.find((a) => a.labels.attest_rule_uid === fire.body.uid);
  assert.equal(alert.labels.alertname, rule().name);
  assert.equal(alert.status, 'firing');
  console.log(`# event to webhook: ${((delivered.at - emittedAt) / 1000).toFixed(1)} s (10 s evaluation interval)`);

  // Two more evaluation intervals past the first delivery: the paused rule has sent nothing.
  await new Promise((r) => setTimeout(r, 25_000));
  assert.equal(deliveriesFor(paused.body.uid).length, 0, 'a paused rule sends nothing');

  // Last triggered and the trigger count come from Grafana's state history.
  const listed = await eventually(
    async () => {
      const l = await call('GET', 'alerts');
      const r = l.body.rules?.find((x) => x.uid === fire.body.uid);
      return r?.triggerCount >= 1 ? r : undefined;
    },
    { timeoutMillis: 30_000, intervalMillis: 1000 }
  );
  assert.ok(listed, 'the list shows the trigger');
  assert.ok(Date.parse(listed.lastTriggered) >= emittedAt - 60_000);
  assert.deepEqual(listed.contactPoints, [hookName]);
  const silent = (await call('GET', 'alerts')).body.rules.find((x) => x.uid === paused.body.uid);
  assert.equal(silent.triggerCount, 0);
  assert.equal(silent.active, false);
});

test('Test sends a notification through the contact points and reports what each answered', async () => {
  const made = await call('POST', 'alerts', {
    body: rule({ name: `Test button ${run}`, eventTypes: ['never.happens'] }),
  });
  assert.equal(made.status, 201);
  const before = received.length;
  const res = await call('POST', `alerts/${made.body.uid}/test`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.delivered, true);
  assert.deepEqual(
    res.body.results.map((r) => [r.contactPoint, r.type, r.status]),
    [[hookName, 'webhook', 'ok']]
  );
  const got = received.slice(before).find((n) => n.body.alerts?.some((a) => a.labels.attest_test === 'true'));
  assert.ok(got, 'the webhook got the test notification');
});

test('edit, disable, enable and delete change the Grafana rule and are recorded in the trail', async () => {
  const range = lastMinutes(15);
  const made = await call('POST', 'alerts', {
    body: rule({ name: `Lifecycle ${run}`, eventTypes: ['never.happens'] }),
  });
  assert.equal(made.status, 201);
  const uid = made.body.uid;
  const edited = await call('PUT', `alerts/${uid}`, {
    body: rule({
      name: `Lifecycle ${run} edited`,
      severity: 'CRITICAL',
      categories: ['AUTH', 'SECURITY'],
      threshold: 3,
    }),
  });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.equal(edited.body.severity, 'CRITICAL');
  assert.equal(edited.body.threshold, 3);
  const g = (await grafana('GET', `/api/v1/provisioning/alert-rules/${uid}`)).body;
  assert.equal(g.title, `Lifecycle ${run} edited`);
  assert.deepEqual(g.data[0].model.categories, ['AUTH', 'SECURITY']);

  assert.equal((await call('PUT', `alerts/${uid}/active`, { body: { active: false } })).status, 200);
  assert.equal((await grafana('GET', `/api/v1/provisioning/alert-rules/${uid}`)).body.isPaused, true);
  assert.equal((await call('PUT', `alerts/${uid}/active`, { body: { active: true } })).status, 200);
  assert.equal((await grafana('GET', `/api/v1/provisioning/alert-rules/${uid}`)).body.isPaused, false);

  assert.equal((await call('DELETE', `alerts/${uid}`)).status, 204);
  assert.equal((await grafana('GET', `/api/v1/provisioning/alert-rules/${uid}`)).status, 404);
  const tree = (await grafana('GET', '/api/v1/provisioning/policies')).body;
  assert.ok(!JSON.stringify(tree.routes ?? []).includes(uid), 'its notification policy is gone');
  assert.equal((await call('DELETE', `alerts/${uid}`)).status, 404);

  const trail = await eventually(
    async () => {
      const entries = await lokiEntries(
        TENANT,
        `{service_name="attest-grafana-app"} | audit_target_id="${uid}"`,
        range
      );
      return entries.length >= 5 ? entries : undefined;
    },
    { timeoutMillis: 30_000 }
  );
  assert.ok(trail, 'the changes are in the trail');
  const types = trail.map((e) => e.labels.audit_event).sort();
  assert.deepEqual(types, [
    'audit.alert.created',
    'audit.alert.deleted',
    'audit.alert.disabled',
    'audit.alert.enabled',
    'audit.alert.updated',
  ]);
  for (const e of trail) {
    assert.equal(e.labels.user_id, GRAFANA_ADMIN.user);
  }
  const update = trail.find((e) => e.labels.audit_event === 'audit.alert.updated');
  const changes = JSON.parse(update.labels.audit_changes);
  assert.equal(changes.before.severity, 'ERROR');
  assert.equal(changes.after.severity, 'CRITICAL');
});

test('a starter rule is enabled with one call and leaves the starter list', async () => {
  // On a stack in use someone may have enabled it already: remove theirs first (lists are never null).
  const existing = await call('GET', 'alerts');
  assert.ok(Array.isArray(existing.body.starters) && Array.isArray(existing.body.rules));
  for (const r of existing.body.rules.filter((x) => x.starter === 'audit-exported')) {
    assert.equal((await call('DELETE', `alerts/${r.uid}`)).status, 204);
  }
  const listed = await call('GET', 'alerts');
  assert.ok(listed.body.starters.some((s) => s.starter === 'audit-exported'));
  const made = await call('POST', 'alert-starters/audit-exported', { body: { contactPoints: [hookName] } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(made.body.starter, 'audit-exported');
  assert.equal(made.body.active, true);
  const after = await call('GET', 'alerts');
  assert.ok(!after.body.starters.some((s) => s.starter === 'audit-exported'));
  assert.ok(after.body.rules.some((r) => r.uid === made.body.uid));
  assert.equal((await call('DELETE', `alerts/${made.body.uid}`)).status, 204);
  assert.equal((await call('POST', 'alert-starters/nope', { body: {} })).status, 404);
});

test('invalid rules answer a clear error and change nothing', async () => {
  const cases = [
    [rule({ categories: [] }), 'invalid_categories', /category/],
    [rule({ name: '  ' }), 'invalid_name', /name/],
    [rule({ contactPoints: ['no-such-contact-point'] }), 'invalid_contactPoints', /no-such-contact-point/],
    [rule({ contactPoints: [] }), 'invalid_contactPoints', /contact point/],
    [rule({ severity: 'LOUD' }), 'invalid_severity', /LOUD/],
    [rule({ categories: ['NOPE'] }), 'invalid_categories', /NOPE/],
    [rule({ threshold: -1 }), 'invalid_threshold', /threshold/],
    [{ ...rule(), uid: 'chosen' }, 'bad_request', /unknown field/],
  ];
  const before = (await call('GET', 'alerts')).body.rules.length;
  for (const [body, error, message] of cases) {
    const res = await call('POST', 'alerts', { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error, error);
    assert.match(res.body.message, message);
  }
  const bad = await grafana('POST', `${RESOURCES}/alerts`, {
    body: 'not json',
    headers: { 'Content-Type': 'text/plain' },
  });
  assert.equal(bad.status, 400);
  assert.equal((await call('GET', 'alerts')).body.rules.length, before);
});

test('Viewers and Editors cannot list, create, change, test or delete rules, nor read the app folder', async () => {
  const own = await call('POST', 'alerts', { body: rule({ name: `Target ${run}`, eventTypes: ['never.happens'] }) });
  assert.equal(own.status, 201);
  const target = own.body.uid;
  for (const who of [viewer, editor]) {
    for (const [method, path, body] of [
      ['GET', 'alerts'],
      ['POST', 'alerts', rule()],
      ['PUT', `alerts/${target}`, rule({ name: 'hijacked' })],
      ['PUT', `alerts/${target}/active`, { active: false }],
      ['POST', `alerts/${target}/test`],
      ['DELETE', `alerts/${target}`],
      ['GET', 'alerts/contact-points'],
      ['POST', 'alerts/contact-points', { name: 'evil', type: 'webhook', url: 'http://127.0.0.1:1/' }],
      ['POST', 'alert-starters/audit-exported', {}],
    ]) {
      const res = await call(method, path, { as: who, body });
      assert.equal(res.status, 403, `${who.user} ${method} ${path}`);
      assert.equal(res.body.error, 'forbidden');
    }
    // The rules' definitions are for Admins: the folder is closed to Viewers and Editors.
    const folder = await grafana('GET', '/api/folders/attest-audit-alerts', { as: who });
    assert.ok([403, 404].includes(folder.status), `${who.user} reads the app folder: ${folder.status}`);
  }
  const after = (await grafana('GET', `/api/v1/provisioning/alert-rules/${target}`)).body;
  assert.equal(after.title, `Target ${run}`);
  assert.equal(after.isPaused, false);
  assert.equal((await call('DELETE', `alerts/${target}`)).status, 204);
});

test('a starter rule cannot be enabled twice', async () => {
  for (const r of (await call('GET', 'alerts')).body.rules.filter((x) => x.starter === 'service-went-quiet')) {
    assert.equal((await call('DELETE', `alerts/${r.uid}`)).status, 204);
  }
  const first = await call('POST', 'alert-starters/service-went-quiet', { body: { contactPoints: [hookName] } });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const again = await call('POST', 'alert-starters/service-went-quiet', { body: { contactPoints: [hookName] } });
  assert.equal(again.status, 409);
  assert.equal(again.body.error, 'already_enabled');
  assert.equal((await call('DELETE', `alerts/${first.body.uid}`)).status, 204);
});

test('a per-actor rule fires with an opaque actor reference that readers resolve to the actor', async () => {
  const made = await call('POST', 'alerts', {
    body: rule({
      name: `Failed sign-ins per actor ${run}`,
      categories: ['AUTH'],
      severity: 'INFO',
      eventTypes: [`alerttest.${run}.login`],
      outcome: 'failure',
      perActor: true,
      threshold: 3,
    }),
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const g = (await grafana('GET', `/api/v1/provisioning/alert-rules/${made.body.uid}`)).body;
  assert.ok(g.data[0].model.signature, 'the app signed the per-actor query');
  const now = Date.now();
  const events = [
    ...generateEvents({ count: 4, startMillis: now - 2000, endMillis: now - 1000, seed: 51, tenant: TENANT }),
  ];
  for (const e of events) {
    e.service = { name: service, environment: 'test' };
    e.attributes['audit.event'] = `alerttest.${run}.login`;
    e.attributes['audit.category'] = 'AUTH';
    e.attributes['audit.outcome'] = 'failure';
    e.attributes['user.id'] = `u-${run}`;
    e.attributes['user.email'] = `mallory-${run}@acme.example`;
  }
  await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: TENANT, events });
  const delivered = await eventually(() => deliveriesFor(made.body.uid)[0], {
    timeoutMillis: 150_000,
    intervalMillis: 500,
  });
  assert.ok(delivered, 'the webhook got the notification');
  const alert = delivered.body.alerts.find((a) => a.labels.attest_rule_uid === made.body.uid);
  assert.match(alert.labels.actor_ref, /^[0-9a-f]{16}$/);
  assert.ok(!JSON.stringify(delivered.body).includes(`mallory-${run}`), 'no identity in the notification');
  assert.equal(alert.labels.actor_email, undefined);
  const range = lastMinutes(15);
  const resolved = await grafana(
    'GET',
    `${RESOURCES}/actors/resolve?ref=${alert.labels.actor_ref}&from=${range.from}&to=${range.to}`
  );
  assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
  assert.equal(resolved.body.actorEmail, `mallory-${run}@acme.example`);
  const denied = await grafana(
    'GET',
    `${RESOURCES}/actors/resolve?ref=${alert.labels.actor_ref}&from=${range.from}&to=${range.to}`,
    {
      as: viewer,
    }
  );
  assert.equal(denied.status, 403);
  assert.equal((await call('DELETE', `alerts/${made.body.uid}`)).status, 204);
});

test("an Editor's own rule on the counts datasource cannot break actors out through Grafana's alert evaluation", async () => {
  const folder = `editor-${run}`;
  const made = await grafana('POST', '/api/folders', { as: editor, body: { uid: folder, title: folder } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const title = `Editor per actor ${run}`;
  const res = await grafana('POST', `/api/ruler/grafana/api/v1/rules/${folder}`, {
    as: editor,
    body: {
      name: 'g',
      interval: '10s',
      rules: [
        {
          grafana_alert: {
            title,
            condition: 'C',
            no_data_state: 'OK',
            exec_err_state: 'Error',
            data: [
              {
                refId: 'A',
                datasourceUid: 'attest-audit-counts',
                relativeTimeRange: { from: 600, to: 0 },
                model: { refId: 'A', mode: 'instant', groupBy: ['actor'] },
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
          for: '0s',
        },
      ],
    },
  });
  assert.ok(res.status === 202 || res.status === 200, `${res.status} ${JSON.stringify(res.body)}`);
  try {
    const state = await eventually(
      async () => {
        const rules = (await grafana('GET', '/api/prometheus/grafana/api/v1/rules', { as: editor })).body;
        const r = rules.data.groups.flatMap((g) => g.rules).find((x) => x.name === title);
        return r?.lastError ? r : undefined;
      },
      { timeoutMillis: 60_000, intervalMillis: 1000 }
    );
    assert.ok(state, 'the rule was evaluated');
    assert.match(state.lastError, /Attest Alerts page/);
    assert.ok(!JSON.stringify(state).includes('actor_email'), 'no actor in its alerts');
  } finally {
    await grafana('DELETE', `/api/folders/${folder}?forceDeleteRules=true`);
  }
});
