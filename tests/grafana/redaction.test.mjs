// A reader cannot plant an integrity break, nor a secret in the store: every planted secret kind, typed
// into a search, a filter, an export's and a report's name and a Grafana user's name, is redacted by the
// backend before its own record is hashed, so the Collector has nothing left to change. The app's chain
// then verifies clean, and no secret reaches Loki. Run in its own org and tenant.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';

import { repoRoot } from '../../scripts/stack/lib.mjs';
import { RESOURCES, createUser, ensureSecondOrg, eventually, grafana, lastMinutes, lokiEntries } from './helpers.mjs';

const TENANT = 'globex';
const APP = 'attest-grafana-app';
const cases = JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'instrumentation/test-vectors/secrets.json'), 'utf8')
).cases;
let org;
let startNs;

before(async () => {
  org = await ensureSecondOrg();
  startNs = BigInt(Date.now() - 1000) * 1_000_000n;
});

test('secrets typed into what the backend records never reach Loki, and its chain verifies clean', async () => {
  const range = lastMinutes(60);
  for (const c of cases) {
    const text = c.text.slice(0, 500);
    // A Grafana user whose name holds the secret, an Admin of the org.
    const user = await createUser('Admin', { prefix: `redact-${c.kind.replace(/[^a-z]/g, '')}`, orgs: [org] });
    await grafana('PUT', `/api/users/${user.id}`, {
      body: { name: `Eve ${text}`.slice(0, 190), login: user.user, email: user.email },
    });
    const as = user;
    const search = await grafana('GET', `${RESOURCES}/events?${new URLSearchParams({ ...range, search: text })}`, {
      as,
      org,
    });
    assert.equal(search.status, 200, `${c.kind}: ${JSON.stringify(search.body).slice(0, 200)}`);
    const filtered = await grafana(
      'GET',
      `${RESOURCES}/events?${new URLSearchParams({ ...range, actor: text, targetId: text, service: text })}`,
      { as, org }
    );
    assert.equal(filtered.status, 200, `${c.kind}: ${JSON.stringify(filtered.body).slice(0, 200)}`);
    const exp = await grafana('POST', `${RESOURCES}/exports`, {
      as,
      org,
      body: { name: `export ${text}`.slice(0, 200), format: 'json', params: { ...range, search: text } },
    });
    assert.ok([202, 429].includes(exp.status), `${c.kind} export: ${exp.status} ${JSON.stringify(exp.body)}`);
    const rep = await grafana('POST', `${RESOURCES}/reports`, {
      as,
      org,
      body: {
        type: 'Custom',
        name: `report ${text}`.slice(0, 200),
        from: new Date(Date.now() - 3_600_000).toISOString(),
        to: new Date().toISOString(),
        actors: [text.slice(0, 200)],
      },
    });
    assert.ok([202, 400, 429].includes(rep.status), `${c.kind} report: ${rep.status} ${JSON.stringify(rep.body)}`);
  }

  const to = BigInt(Date.now() + 60_000) * 1_000_000n;
  const trail = await eventually(async () => {
    const got = await lokiEntries(TENANT, `{service_name="${APP}"}`, { from: startNs.toString(), to: to.toString() });
    return got.filter((e) => e.labels.audit_event === 'audit.log.viewed').length >= cases.length * 2 ? got : undefined;
  });
  const stored = JSON.stringify(trail);
  for (const c of cases) {
    assert.ok(!stored.includes(c.secret), `${c.kind}: the secret reached Loki`);
    assert.ok(!stored.includes(JSON.stringify(c.secret).slice(1, -1)), `${c.kind}: the secret reached Loki (escaped)`);
  }
  assert.match(stored, /\[REDACTED:/);

  // The app's chain over the same range: no break, every record read.
  // One verification at a time per org: wait for one another test started to end.
  const toNs = (BigInt(Date.now()) * 1_000_000n).toString();
  const started = await eventually(
    async () => {
      const r = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
        org,
        body: { from: startNs.toString(), to: toNs, service: APP },
      });
      return r.status === 429 ? undefined : r;
    },
    { timeoutMillis: 180_000, intervalMillis: 2000 }
  );
  assert.equal(started?.status, 202, JSON.stringify(started?.body));
  const summary = await eventually(
    async () => {
      const list = await grafana('GET', `${RESOURCES}/integrity/verifications`, { org });
      const v = list.body.verifications.find((x) => x.id === started.body.id);
      return v?.status === 'completed' ? v.summary : undefined;
    },
    { timeoutMillis: 180_000, intervalMillis: 1000 }
  );
  assert.deepEqual(summary.problems, [], JSON.stringify(summary.problems).slice(0, 500));
  assert.ok(summary.records >= cases.length * 2, `${summary.records} records verified`);
});
