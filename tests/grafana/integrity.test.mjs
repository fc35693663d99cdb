// Integrity verification through the real Grafana, backend and Loki: a keyed chain recorded by the
// package verifies; a forged copy with genuine chain fields and a forged unkeyed append are found, with
// the first break's event; a chain cut off after the backend saw its head is reported truncated; the
// results are System entries in the trail; only the read role may verify.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';

import { createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import {
  RESOURCES,
  cfg,
  createUser,
  ensureSecondOrg,
  eventually,
  grafana,
  lastMinutes,
  lokiEntries,
} from './helpers.mjs';
import { lokiHeaders } from '../../scripts/stack/lib.mjs';

const TENANT = cfg.defaultTenant;
const run = randomBytes(4).toString('hex');
const service = `integrity-${run}`;
const key = { id: `k-${run}`, secret: randomBytes(32) };
let chainId;
let entries;
let viewer;

/** Verifies this run's service in range (other tests' records of the tenant are not this test's). */
async function verify(range, { as, org } = {}) {
  const started = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
    as,
    org,
    body: { from: range.from, to: range.to, service },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const done = await eventually(
    async () => {
      const list = await grafana('GET', `${RESOURCES}/integrity/verifications`, { as, org });
      const v = list.body.verifications.find((x) => x.id === started.body.id);
      return v && v.status !== 'pending' && v.status !== 'running' ? v : undefined;
    },
    { timeoutMillis: 120_000, intervalMillis: 500 }
  );
  assert.equal(done?.status, 'completed', JSON.stringify(done));
  return done.summary;
}

const ours = (s) => s.problems.filter((p) => p.chainId === chainId);
const all = (e) => e.labels;

before(async () => {
  viewer = await createUser('Viewer', { prefix: 'integrity-viewer' });
  // The producer's key, as an operator adds it to chain_keys_file.
  const keysFile = path.join(cfg.dataDir, 'chain-keys.json');
  const keys = fs.existsSync(keysFile) ? JSON.parse(fs.readFileSync(keysFile, 'utf8')) : {};
  keys[key.id] = key.secret.toString('hex');
  fs.writeFileSync(keysFile, JSON.stringify(keys));
  const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-integrity-'));
  const pipeline = createAuditPipeline({
    tenant: TENANT,
    serviceName: service,
    environment: 'test',
    url: cfg.otlpUrl,
    spoolDir: spool,
    meterProvider: false,
    chainKey: key,
  });
  chainId = pipeline.chain.chainId;
  await runWithAuditContext({ actor: { id: `u-${run}`, email: `i-${run}@example.com` }, tenant: TENANT }, async () => {
    for (let i = 0; i < 30; i++) {
      pipeline.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', description: `update ${i}` });
    }
  });
  await pipeline.flush();
  await pipeline.shutdown();
  const range = lastMinutes(10);
  entries = await eventually(
    async () => {
      const got = await lokiEntries(TENANT, `{service_name="${service}"}`, range);
      return got.length === 30 ? got : undefined;
    },
    { timeoutMillis: 60_000 }
  );
  assert.ok(entries, 'the keyed chain is in Loki');
  entries.sort((a, b) => Number(all(a).audit_chain_seq) - Number(all(b).audit_chain_seq));
});

async function push(tenant, list) {
  const INDEX = ['service_name', 'deployment_environment_name', 'audit_category', 'severity_text'];
  const streams = list.map((e) => ({
    stream: Object.fromEntries(INDEX.filter((k) => e.labels[k] !== undefined).map((k) => [k, e.labels[k]])),
    values: [[e.ts, e.line, Object.fromEntries(Object.entries(e.labels).filter(([k]) => !INDEX.includes(k)))]],
  }));
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...lokiHeaders(tenant) },
    body: JSON.stringify({ streams }),
  });
  assert.ok(res.ok, `push ${res.status}`);
}

test('a keyed chain recorded by the package verifies, and the result is a System entry in the trail', async () => {
  const range = lastMinutes(10);
  const s = await verify(range);
  assert.deepEqual(s.problems, [], JSON.stringify(s.problems));
  assert.equal(s.ok, true);
  assert.ok(s.records >= 30 && s.chains >= 1);
  assert.ok(all(entries[0]).audit_chain_key_id === key.id, 'records name their key');
  const entry = await eventually(async () => {
    const got = await lokiEntries(
      TENANT,
      '{service_name="attest-grafana-app"} | audit_event=~"audit.integrity.(verified|break_detected)"',
      range
    );
    return got.find((e) => JSON.parse(e.labels.audit_metadata).from === range.from);
  });
  assert.ok(entry, 'the verification is in the trail');
  assert.equal(entry.labels.audit_actor_type, 'system');
});

test('a forged copy with genuine chain fields and a forged unkeyed append are found, first break linked to its event', async () => {
  const seq10 = entries[9];
  await push(TENANT, [
    { ts: (BigInt(seq10.ts) - 1_000_000n).toString(), line: 'nothing happened', labels: { ...all(seq10) } },
  ]);
  // A forged insert at seq 15, naming the producer's key but hashed without it.
  const seq15 = entries[14];
  await push(TENANT, [
    {
      ts: (BigInt(seq15.ts) + 500_000n).toString(),
      line: 'forged insert',
      labels: { ...all(seq15), audit_id: `insert-${run}`, audit_chain_hash: 'f'.repeat(64) },
    },
  ]);
  const last = entries[29];
  const forged = {
    ...all(last),
    audit_chain_seq: '31',
    audit_chain_prev: all(last).audit_chain_hash,
    audit_id: `forged-${run}`,
  };
  delete forged.audit_chain_key_id;
  await push(TENANT, [{ ts: (BigInt(last.ts) + 1_000_000n).toString(), line: 'forged append', labels: forged }]);
  await eventually(
    async () => (await lokiEntries(TENANT, `{service_name="${service}"}`, lastMinutes(10))).length === 32
  );
  const s = await verify(lastMinutes(10));
  const kinds = ours(s).map((p) => [p.seq, p.problem]);
  assert.ok(
    kinds.some(([seq, k]) => seq === 10 && k === 'conflict'),
    JSON.stringify(kinds)
  );
  assert.ok(
    kinds.some(([seq, k]) => seq === 31 && k === 'unkeyed'),
    JSON.stringify(kinds)
  );
  assert.equal(s.ok, false);
  assert.ok(s.firstBreak, 'a first break is named');
  const breakEntry = await eventually(async () => {
    const got = await lokiEntries(
      TENANT,
      '{service_name="attest-grafana-app"} | audit_event="audit.integrity.break_detected"',
      lastMinutes(10)
    );
    return got[0];
  });
  assert.equal(breakEntry.labels.severity_text, 'CRITICAL');
});

test('a chain cut off after the backend saw its head is reported truncated', async () => {
  const org = await ensureSecondOrg();
  const second = cfg.tenants
    .split(',')
    .find((p) => p.startsWith(`${org}=`))
    ?.split('=')[1];
  assert.ok(second, `org ${org} has a tenant`);
  const seen = all(entries[29]);
  // What a verification of the second tenant saw earlier: this chain up to seq 30.
  const headsFile = path.join(cfg.dataDir, 'grafana', 'attest', `chain-heads-${second}.json`);
  const heads = fs.existsSync(headsFile)
    ? JSON.parse(fs.readFileSync(headsFile, 'utf8'))
    : { chains: {}, verifiedToNs: 0 };
  heads.chains[chainId] = {
    service,
    seq: 30,
    hash: seen.audit_chain_hash,
    timeNs: Number(entries[29].ts),
    seenAt: new Date().toISOString(),
  };
  fs.writeFileSync(headsFile, JSON.stringify(heads));
  // Loki of that tenant now holds the chain only up to seq 25.
  await push(
    second,
    entries.slice(0, 25).map((e) => ({ ts: e.ts, line: e.line, labels: all(e) }))
  );
  await eventually(
    async () => (await lokiEntries(second, `{service_name="${service}"}`, lastMinutes(10))).length === 25
  );
  const s = await verify(lastMinutes(10), { org });
  assert.ok(
    s.checkpoints.missing.some((p) => p.chainId === chainId && p.problem === 'truncated' && p.seq === 30),
    JSON.stringify(s.checkpoints)
  );
  assert.equal(ours(s).filter((p) => p.problem !== 'truncated').length, 0, 'nothing else wrong with it');
  // A later verification whose range starts after the head still finds it (looked up on its own).
  const after = { from: ((BigInt(entries[29].ts) / 1_000_000n + 1n) * 1_000_000n).toString(), to: lastMinutes(10).to };
  const later = await verify(after, { org });
  assert.ok(
    later.checkpoints.missing.some((p) => p.chainId === chainId && p.problem === 'truncated' && p.seq === 30),
    JSON.stringify(later.checkpoints)
  );
});

test('checkpoints are collected from the producer without any verification; a rotated key, a restart and an exact copy are not breaks; a forged checkpoint is not taken', async () => {
  const svc = `${service}-hb`;
  const rotated = { id: `k2-${run}`, secret: randomBytes(32) };
  const keysFile = path.join(cfg.dataDir, 'chain-keys.json');
  fs.writeFileSync(
    keysFile,
    JSON.stringify({ ...JSON.parse(fs.readFileSync(keysFile, 'utf8')), [rotated.id]: rotated.secret.toString('hex') })
  );
  const produce = async (chainKey, rotateAfter) => {
    const p = createAuditPipeline({
      tenant: TENANT,
      serviceName: svc,
      environment: 'test',
      url: cfg.otlpUrl,
      meterProvider: false,
      chainKey,
      heartbeatMillis: 300,
    });
    await runWithAuditContext(
      { actor: { id: `u-${run}`, email: `hb-${run}@example.com` }, tenant: TENANT },
      async () => {
        for (let i = 0; i < 10; i++) {
          if (i === rotateAfter) {
            p.chain.rotateKey(rotated);
          }
          p.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', description: `hb ${i}` });
        }
      }
    );
    await p.flush();
    await new Promise((r) => setTimeout(r, 1000)); // heartbeats
    await p.shutdown(); // the closing record
    return p.chain.chainId;
  };
  // One producer rotating its key half-way, then the service restarted (a new chain).
  const first = await produce(key, 5);
  const second = await produce(rotated);
  const got = await eventually(async () => {
    const es = await lokiEntries(TENANT, `{service_name="${svc}"}`, lastMinutes(10));
    const closed = es.filter((e) => e.labels.audit_event === 'audit.chain.closed');
    return closed.length === 2 ? es : undefined;
  });
  const lastOf = (id) =>
    Math.max(...got.filter((e) => e.labels.audit_chain_id === id).map((e) => Number(e.labels.audit_chain_seq)));
  const headsFile = path.join(cfg.dataDir, 'grafana', 'attest', `chain-heads-${TENANT}.json`);
  const heads = await eventually(
    async () => {
      const h = fs.existsSync(headsFile) ? JSON.parse(fs.readFileSync(headsFile, 'utf8')) : { chains: {} };
      return h.chains[first]?.seq === lastOf(first) && h.chains[second]?.seq === lastOf(second) ? h : undefined;
    },
    { timeoutMillis: 30_000, intervalMillis: 500 }
  );
  assert.ok(heads, "both chains' closing checkpoints were collected as their heads");
  assert.equal(heads.chains[first].service, svc);

  // The same record delivered twice (here through another stream, as a second Collector would).
  const copy = got.find((e) => e.labels.audit_chain_id === first && e.labels.audit_chain_seq === '3');
  await push(TENANT, [{ ts: copy.ts, line: copy.line, labels: { ...copy.labels, collector: 'second' } }]);
  await eventually(async () => {
    const q = `{service_name="${svc}", collector="second"}`;
    return (await lokiEntries(TENANT, q, lastMinutes(10))).length === 1;
  });
  const started = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
    body: { ...lastMinutes(10), service: svc },
  });
  assert.equal(started.status, 202);
  const done = await eventually(
    async () => {
      const list = await grafana('GET', `${RESOURCES}/integrity/verifications`);
      const v = list.body.verifications.find((x) => x.id === started.body.id);
      return v?.status === 'completed' ? v.summary : undefined;
    },
    { timeoutMillis: 120_000, intervalMillis: 500 }
  );
  assert.deepEqual(done.problems, [], JSON.stringify(done.problems));
  assert.equal(done.chains, 2);
  assert.equal(done.duplicates, 1);
  assert.ok(done.checkpoints.matched >= 2, JSON.stringify(done.checkpoints));

  // A checkpoint pushed by someone without the key, claiming the chain went further, is not taken.
  const closing = got.find((e) => e.labels.audit_chain_id === second && e.labels.audit_event === 'audit.chain.closed');
  const forgedSeq = String(lastOf(second) + 5);
  await push(TENANT, [
    {
      ts: (BigInt(closing.ts) + 1_000_000n).toString(),
      line: closing.line,
      labels: {
        ...closing.labels,
        audit_chain_seq: forgedSeq,
        audit_chain_hash: 'e'.repeat(64),
        audit_id: `cp-${run}`,
      },
    },
  ]);
  await eventually(async () => {
    const es = await lokiEntries(TENANT, `{service_name="${svc}"} | audit_id="cp-${run}"`, lastMinutes(10));
    return es.length === 1;
  });
  await new Promise((r) => setTimeout(r, 12_000)); // two collections (checkpoint_every = 5s)
  const after = JSON.parse(fs.readFileSync(headsFile, 'utf8'));
  assert.equal(after.chains[second].seq, lastOf(second), 'the forged checkpoint did not move the head');
});

test('a Viewer cannot verify; bad ranges are refused with a message', async () => {
  const range = lastMinutes(10);
  const res = await grafana('POST', `${RESOURCES}/integrity/verifications`, { as: viewer, body: range });
  assert.equal(res.status, 403);
  const reversed = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
    body: { from: range.to, to: range.from },
  });
  assert.equal(reversed.status, 400);
  assert.match(reversed.body.message, /reversed/);
  const tooLong = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
    body: { from: String(BigInt(range.to) - 100n * 86_400_000_000_000n), to: range.to },
  });
  assert.equal(tooLong.status, 400);
});
