// The one reader of long ranges (pkg/export.Stream) through the real backend and Loki: a range read in
// many shards (the test stack cuts at 500 rows), with groups of entries sharing one timestamp, comes
// out whole, each entry once, newest first, as Loki counts it; entries on the edges of the reader's
// shards are counted in the shard that reads them. Written straight into the store through
// its gateway; own org, tenant and service.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, test } from 'node:test';

import { RESOURCES, ensureSecondOrg, eventually, grafana, pushStream } from './helpers.mjs';

const TENANT = 'globex';
const service = `reader-${Date.now().toString(36)}`;
const GROUPS = 120;
const PER_GROUP = 25;
const base = BigInt(Date.now() - 300_000) * 1_000_000n;
let org;
let range;

before(async () => {
  org = await ensureSecondOrg();
  const values = [];
  for (let g = 0; g < GROUPS; g++) {
    // Groups 2 s apart, on odd nanoseconds: a shard edge (whole ms) can fall between two groups but
    // never inside one.
    const ts = base + BigInt(g) * 2_000_000_000n + 777n;
    for (let i = 0; i < PER_GROUP; i++) {
      values.push([ts.toString(), `reader ${g}.${i}`, { audit_id: crypto.randomUUID(), audit_event: 'reader.test' }]);
    }
  }
  await pushStream(TENANT, service, values);
  const from = base - (base % 1_000_000n) - 1_000_000_000n;
  const to = base + BigInt(GROUPS) * 2_000_000_000n;
  range = { from: from.toString(), to: (to - (to % 1_000_000n)).toString() };
});

/** Exports service's events in range as JSON Lines; the finished job. */
async function exportJob(svc, r) {
  const created = await grafana('POST', `${RESOURCES}/exports`, {
    org,
    body: { name: `${svc} shards`, format: 'jsonl', params: { service: svc, ...r } },
  });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  return eventually(
    async () => {
      const j = (await grafana('GET', `${RESOURCES}/exports/${created.body.id}`, { org })).body;
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    },
    { timeoutMillis: 120_000 }
  );
}

test('a range read in many shards comes out whole, each entry once, newest first', async () => {
  const count = await eventually(async () => {
    const c = await grafana('GET', `${RESOURCES}/events/count?${new URLSearchParams({ ...range, service })}`, { org });
    return c.body?.total === GROUPS * PER_GROUP ? c.body.total : undefined;
  });
  assert.equal(count, GROUPS * PER_GROUP, 'Loki holds them all');
  const job = await exportJob(service, range);
  assert.equal(job?.status, 'completed', JSON.stringify(job));
  assert.equal(job.rows, GROUPS * PER_GROUP);
  const file = await grafana('GET', `${RESOURCES}/exports/${job.id}/download`, { org });
  const rows = String(typeof file.body === 'string' ? file.body : JSON.stringify(file.body))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, GROUPS * PER_GROUP);
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'each entry once');
  for (let i = 1; i < rows.length; i++) {
    assert.ok(BigInt(rows[i - 1].tsNs) >= BigInt(rows[i].tsNs), `newest first at row ${i}`);
  }
  // Every group whole.
  const lines = new Set(rows.map((r) => r.description));
  for (let g = 0; g < GROUPS; g++) {
    for (let i = 0; i < PER_GROUP; i++) {
      assert.ok(lines.has(`reader ${g}.${i}`), `entry ${g}.${i}`);
    }
  }
});

// The reader cuts a range where Loki's index says its size reaches each 16th (pkg/export plan), on
// whole seconds here, counts each part and joins the parts into shards, each checked against its
// parts' counts. Entries sit on every second edge and 1 ns before it, so shard edges fall between
// entries 1 ns apart: each shard must count exactly what it reads, or the export fails as incomplete.
test('entries on the edges of the shards are counted by the shard that reads them', async () => {
  const svc = `${service}-edges`;
  const end = (BigInt(Date.now() - 1_200_000) / 1000n) * 1_000_000_000n;
  const start = end - 512n * 1_000_000_000n;
  const values = [];
  for (let j = 0n; j < 256n; j++) {
    const edge = end - j * 2_000_000_000n;
    for (const ts of j === 0n ? [end - 1n] : [edge, edge - 1n]) {
      for (let i = 0; i < 5; i++) {
        values.push([ts.toString(), `edge ${j}.${ts % 2n}.${i}`, { audit_id: crypto.randomUUID(), audit_event: 'reader.test' }]);
      }
    }
  }
  values.push([start.toString(), 'the first nanosecond', { audit_id: crypto.randomUUID(), audit_event: 'reader.test' }]);
  values.push([end.toString(), 'just past the end', { audit_id: crypto.randomUUID(), audit_event: 'reader.test' }]);
  await pushStream(TENANT, svc, values);
  const r = { from: start.toString(), to: end.toString() };
  const inRange = values.length - 1;
  const count = await eventually(async () => {
    const c = await grafana('GET', `${RESOURCES}/events/count?${new URLSearchParams({ ...r, service: svc })}`, { org });
    return c.body?.total === inRange ? c.body.total : undefined;
  });
  assert.equal(count, inRange, 'Loki holds them all');
  const job = await exportJob(svc, r);
  assert.equal(job?.status, 'completed', JSON.stringify(job));
  assert.equal(job.rows, inRange);
  const file = await grafana('GET', `${RESOURCES}/exports/${job.id}/download`, { org });
  const lines = String(file.body).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l).description);
  assert.equal(new Set(lines).size, inRange, 'each entry once');
  assert.ok(lines.includes('the first nanosecond') && !lines.includes('just past the end'));
});
