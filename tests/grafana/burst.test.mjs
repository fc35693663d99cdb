// One timestamp must not block reads: a producer that writes 12,000 entries on one nanosecond (more
// than one Loki query returns) is exported whole through the backend, checked against Loki's count.
// Written straight into the store through its gateway, as a producer's burst lands; own org and tenant.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, test } from 'node:test';

import { RESOURCES, ensureSecondOrg, eventually, grafana, pushStream } from './helpers.mjs';

const TENANT = 'globex';
const COUNT = 12_000;
const service = `burst-${Date.now().toString(36)}`;
const ts = BigInt(Date.now() - 120_000) * 1_000_000n + 123n;
let org;

before(async () => {
  org = await ensureSecondOrg();
  for (let i = 0; i < COUNT; i += 3000) {
    const values = [];
    for (let j = i; j < Math.min(i + 3000, COUNT); j++) {
      values.push([
        ts.toString(),
        `burst event ${j}`,
        { audit_id: crypto.randomUUID(), audit_event: 'burst.test', audit_outcome: 'success' },
      ]);
    }
    await pushStream(TENANT, service, values);
  }
});

test('12,000 entries on one timestamp are exported whole', async () => {
  const from = (ts - 60_000_000_000n).toString();
  const to = (ts + 60_000_000_000n - ((ts + 60_000_000_000n) % 1_000_000n)).toString();
  const fromMs = (BigInt(from) - (BigInt(from) % 1_000_000n)).toString();
  const created = await grafana('POST', `${RESOURCES}/exports`, {
    org,
    body: { name: `${service} burst`, format: 'jsonl', params: { service, from: fromMs, to } },
  });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const job = await eventually(
    async () => {
      const j = (await grafana('GET', `${RESOURCES}/exports/${created.body.id}`, { org })).body;
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    },
    { timeoutMillis: 300_000, intervalMillis: 1000 }
  );
  assert.equal(job?.status, 'completed', JSON.stringify(job));
  assert.equal(job.rows, COUNT);
  const file = await grafana('GET', `${RESOURCES}/exports/${job.id}/download`, { org });
  assert.equal(file.status, 200);
  const lines = String(typeof file.body === 'string' ? file.body : JSON.stringify(file.body))
    .split('\n')
    .filter((l) => l.trim() !== '');
  const ids = new Set(lines.map((l) => JSON.parse(l).id));
  assert.equal(lines.length, COUNT);
  assert.equal(ids.size, COUNT, 'each entry once');
});
