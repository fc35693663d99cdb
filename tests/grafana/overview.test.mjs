// The Overview over days: figures come from the backend's daily counts once they exist, and equal
// what LogQL counts in Loki, also right after entries arrive late for a day already counted (the
// Collector's per-day ledger sends that day back to live reading until it is counted again).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'node:test';

import { pushOtlp } from '../../scripts/demo/otlp.mjs';
import { cfg, eventually, lokiEntries, resource } from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const run = randomBytes(4).toString('hex');
const service = `overview-${run}`;
const DAY = 86_400_000;
const now = Date.now();
const to = BigInt(Math.floor(now / 1000) * 1000) * 1_000_000n;
const from = to - BigInt(7 * DAY) * 1_000_000n;
const range = { from: from.toString(), to: to.toString() };

/** Events of the test's service at the given times, through the Collector. */
async function send(times, { category = 'DATA_MODIFY', severity = 'INFO', event = 'record.updated', actor } = {}) {
  await pushOtlp({
    endpoint: `${cfg.otlpUrl}/v1/logs`,
    tenant: TENANT,
    events: times.map((ms) => ({
      service: { name: service, environment: 'test' },
      timeUnixNano: BigInt(ms) * 1_000_000n,
      severityNumber: { INFO: 9, WARNING: 13, ERROR: 17, CRITICAL: 21 }[severity],
      severityText: severity,
      body: `${event} at ${new Date(ms).toISOString()}`,
      attributes: {
        'audit.id': randomUUID(),
        'audit.event': event,
        'audit.category': category,
        'audit.action': 'update',
        'audit.outcome': 'success',
        'audit.actor.type': actor ? 'user' : 'system',
        ...(actor ? { 'user.id': actor } : {}),
      },
    })),
  });
}

/** LogQL's own answer for the test's service: total, per category, per severity, per event type, users. */
async function truth() {
  const got = await lokiEntries(TENANT, `{service_name="${service}"}`, range);
  const by = (k) => got.reduce((m, e) => ({ ...m, [e.labels[k]]: (m[e.labels[k]] ?? 0) + 1 }), {});
  const users = new Set(got.filter((e) => e.labels.audit_actor_type === 'user').map((e) => e.labels.user_id));
  return {
    total: got.length,
    byCategory: by('audit_category'),
    bySeverity: by('severity_text'),
    byEvent: by('audit_event'),
    users: users.size,
  };
}

async function overview() {
  const res = await resource('overview', { ...range, service });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

function assertEqualsTruth(o, t) {
  assert.equal(o.total, t.total, 'total');
  assert.deepEqual(Object.fromEntries(o.byCategory.map((c) => [c.name, c.count])), t.byCategory, 'by category');
  for (const [sev, n] of Object.entries(t.bySeverity)) {
    assert.equal(o.bySeverity[sev], n, `severity ${sev}`);
  }
  assert.equal(o.activeUsers, t.users, 'active users');
  const top = Object.entries(t.byEvent).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  assert.deepEqual([o.topEventTypes[0].name, o.topEventTypes[0].count], top, 'top event type');
}

test('the Overview over a week equals LogQL, from daily counts once they exist, and a late entry is counted at once', async () => {
  const dayStart = (n) => Math.floor(now / DAY) * DAY - n * DAY;
  await send([dayStart(5) + 3_600_000, dayStart(5) + 7_200_000, dayStart(3) + 60_000], { actor: `u-a-${run}` });
  await send([dayStart(4) + 600_000], {
    category: 'SECURITY',
    severity: 'CRITICAL',
    event: 'sso.changed',
    actor: `u-b-${run}`,
  });
  await send([now - 60_000], { category: 'AUTH', event: 'auth.login' });
  await eventually(async () => ((await truth()).total === 5 ? true : undefined));

  // First read: exact, whatever has been counted yet.
  assertEqualsTruth(await overview(), await truth());

  // The days get counted (the read above asked for it): the figures come from them and stay exact.
  const counted = await eventually(
    async () => {
      const o = await overview();
      return o.dailyCountDays >= 5 ? o : undefined;
    },
    { timeoutMillis: 180_000, intervalMillis: 2000 }
  );
  assert.ok(counted, 'the Overview came from the daily counts');
  assertEqualsTruth(counted, await truth());

  // A late entry for a counted day: read live at once, so the figures are still LogQL's.
  await send([dayStart(4) + 900_000], {
    category: 'SECURITY',
    severity: 'ERROR',
    event: 'sso.changed',
    actor: `u-c-${run}`,
  });
  await eventually(async () => ((await truth()).total === 6 ? true : undefined));
  const late = await overview();
  assertEqualsTruth(late, await truth());
  assert.ok(
    late.dailyCountDays < counted.dailyCountDays,
    `the late day was read live (${late.dailyCountDays} of ${counted.dailyCountDays})`
  );

  // Counted again, it comes from the daily counts again.
  const again = await eventually(
    async () => {
      const o = await overview();
      return o.dailyCountDays >= counted.dailyCountDays ? o : undefined;
    },
    { timeoutMillis: 180_000, intervalMillis: 2000 }
  );
  assertEqualsTruth(again, await truth());
});

test('without a range of whole days or with a filter the daily counts do not keep, the Overview is read live', async () => {
  const res = await resource('overview', { ...range, service, search: 'sso' });
  assert.equal(res.status, 200);
  assert.equal(res.body.dailyCountDays, 0);
  const short = await resource('overview', { from: (to - 3_600_000_000_000n).toString(), to: to.toString(), service });
  assert.equal(short.body.dailyCountDays, 0);
  assert.equal(short.body.total, 1);
});
