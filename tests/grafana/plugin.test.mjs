// The plugin inside the real Grafana server: loaded with its backend, health with details (and an honest
// failure when Loki is down), a resource route, users of every role, settings surviving a restart.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { startService, stopService } from '../../scripts/stack/lib.mjs';
import {
  PLUGIN_ID,
  cfg,
  ensureSecondOrg,
  grafana,
  resource,
  serviceAccountToken,
  usersOfEachRole,
} from './helpers.mjs';

let users;
before(async () => {
  users = await usersOfEachRole();
});

test('the app is installed, enabled in org 1 and its backend is running', async () => {
  const settings = await grafana('GET', `/api/plugins/${PLUGIN_ID}/settings`);
  assert.equal(settings.status, 200);
  assert.equal(settings.body.id, PLUGIN_ID);
  assert.equal(settings.body.type, 'app');
  assert.equal(settings.body.enabled, true);
  // The store is a server setting: the org's settings name none.
  assert.equal(settings.body.jsonData.lokiUrl, undefined);
  const health = await grafana('GET', `/api/plugins/${PLUGIN_ID}/health`);
  assert.equal(health.body.details.lokiUrl, cfg.lokiUrl);
  assert.match(health.body.details.storeSource, /^server/);
  const metrics = await grafana('GET', `/api/plugins/${PLUGIN_ID}/metrics`);
  assert.equal(metrics.status, 200, 'the backend process answers (Prometheus metrics of the plugin)');
  assert.match(String(metrics.body), /go_goroutines/);
});

test('health is OK with details: Loki reachable for the tenant, Collector reachable', async () => {
  const h = await grafana('GET', `/api/plugins/${PLUGIN_ID}/health`);
  assert.equal(h.status, 200, JSON.stringify(h.body));
  assert.equal(h.body.status, 'OK');
  assert.equal(h.body.details.tenant, cfg.defaultTenant);
  assert.equal(h.body.details.lokiReachable, true);
  assert.equal(h.body.details.collectorReachable, true);
  assert.equal(h.body.details.tenantSource, 'server (GF_PLUGIN_TENANTS)');
  // The stack wrote the app's service account token and read it back: alerting works from the start.
  assert.equal(h.body.details.alertingConfigured, true, h.body.message);
  assert.equal(h.body.details.deadLetter, 0);
});

test('health fails honestly while Loki is stopped, and recovers', async () => {
  await stopService('loki', { cfg });
  try {
    const h = await grafana('GET', `/api/plugins/${PLUGIN_ID}/health`);
    assert.equal(h.status, 503, JSON.stringify(h.body));
    assert.equal(h.body.status, 'ERROR');
    assert.equal(h.body.details.lokiReachable, false);
    assert.match(h.body.message, /Loki/);
    assert.equal(h.body.details.collectorReachable, true);
  } finally {
    await startService('loki', { cfg });
  }
  const h = await grafana('GET', `/api/plugins/${PLUGIN_ID}/health`);
  assert.equal(h.body.status, 'OK');
});

test('a resource route round-trips through Grafana to the backend', async () => {
  const me = await resource('me');
  assert.equal(me.status, 200);
  assert.deepEqual(
    { login: me.body.login, role: me.body.role, orgId: me.body.orgId, canRead: me.body.canRead },
    { login: 'admin', role: 'Admin', orgId: 1, canRead: true }
  );
  const missing = await resource('no-such-route');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error, 'not_found');
});

test('users of each org role exist, sign in, and the backend sees their role', async () => {
  for (const [role, u] of Object.entries(users)) {
    const me = await grafana('GET', '/api/user', { as: u });
    assert.equal(me.status, 200, `${role} signs in`);
    assert.equal(me.body.login, u.user);
    const seen = await resource('me', {}, { as: u });
    assert.equal(seen.body.role, role);
    assert.equal(seen.body.canRead, role === 'Admin');
  }
  const sa = await serviceAccountToken('Viewer');
  const viaToken = await resource('me', {}, { as: { token: sa.token } });
  assert.equal(viaToken.status, 200);
  assert.equal(viaToken.body.role, 'Viewer');
  const bad = await grafana('GET', '/api/user', { as: { user: users.Viewer.user, password: 'wrong' } });
  assert.equal(bad.status, 401);
});

// Org 1's settings come from provisioning/plugins/apps.yaml and are re-applied on every start;
// settings an org admin saves in an org without provisioning are kept.
test('plugin settings saved in an org survive a Grafana restart', async () => {
  const org = await ensureSecondOrg();
  const jsonData = { lokiUrl: cfg.lokiUrl, readRole: 'Admin', tracesDatasourceUid: 'tempo-restart-check' };
  const saved = await grafana('POST', `/api/plugins/${PLUGIN_ID}/settings`, {
    org,
    body: { enabled: true, pinned: true, jsonData, secureJsonData: { lokiPassword: 'kept-secret' } },
  });
  assert.equal(saved.status, 200);
  await stopService('grafana', { cfg });
  await startService('grafana', { cfg, timeoutMillis: 120_000 });
  const afterRestart = (await grafana('GET', `/api/plugins/${PLUGIN_ID}/settings`, { org })).body;
  assert.equal(afterRestart.jsonData.tracesDatasourceUid, 'tempo-restart-check');
  assert.equal(afterRestart.secureJsonFields.lokiPassword, true);
  assert.ok(!JSON.stringify(afterRestart).includes('kept-secret'), 'the secret is never returned');
  const me = await resource('me', {}, { org });
  assert.equal(me.body.tracesDatasourceUid, 'tempo-restart-check', 'the restarted backend reads the saved settings');
});
