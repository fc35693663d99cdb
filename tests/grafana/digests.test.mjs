// Signed chain-head digests off the machine, through the real Grafana, backend, Loki and S3 server
// (versitygw): the backend writes one per tenant and period to a bucket under S3 object lock; with the
// backend's heads file deleted and the end of a chain gone from Loki, the next verification and the
// CLI name the truncation from the digests; nobody can delete or overwrite a digest.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';

import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

import { createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import { main as cli } from '../../instrumentation/src/cli/main.ts';
import { GATEWAY_SERVICE_USER, S3, gatewayPassword, lokiHeaders } from '../../scripts/stack/lib.mjs';
import { RESOURCES, cfg, ensureSecondOrg, eventually, grafana, lastMinutes, lokiEntries } from './helpers.mjs';

const run = randomBytes(4).toString('hex');
const service = `digests-${run}`;
const key = { id: `dk-${run}`, secret: randomBytes(32) };
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: cfg.s3Url,
  forcePathStyle: true,
  credentials: { accessKeyId: S3.accessKey, secretAccessKey: S3.secretKey },
});
const labelsOf = (e) => e.labels;
let org;
let tenant;
let entries;
let chainId;

async function digestKeys(t) {
  const keys = [];
  let token;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: S3.digestBucket, Prefix: `digests/${t}/`, ContinuationToken: token })
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

const getObject = async (k) =>
  Buffer.from(
    await (await s3.send(new GetObjectCommand({ Bucket: S3.digestBucket, Key: k }))).Body.transformToByteArray()
  );

before(async () => {
  org = await ensureSecondOrg();
  tenant = cfg.tenants
    .split(',')
    .find((p) => p.startsWith(`${org}=`))
    ?.split('=')[1];
  assert.ok(tenant, `org ${org} has a tenant`);
  const keysFile = path.join(cfg.dataDir, 'chain-keys.json');
  const keys = fs.existsSync(keysFile) ? JSON.parse(fs.readFileSync(keysFile, 'utf8')) : {};
  fs.writeFileSync(keysFile, JSON.stringify({ ...keys, [key.id]: key.secret.toString('hex') }));
  // A keyed producer of the second tenant: 30 records, then its closing checkpoint (seq 31), which
  // the backend collects as the chain's head.
  const pipeline = createAuditPipeline({
    tenant,
    serviceName: service,
    environment: 'test',
    url: cfg.otlpUrl,
    meterProvider: false,
    chainKey: key,
    heartbeatMillis: 60_000,
  });
  chainId = pipeline.chain.chainId;
  await runWithAuditContext({ actor: { id: `u-${run}` }, tenant }, async () => {
    for (let i = 0; i < 30; i++) {
      pipeline.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', description: `d ${i}` });
    }
  });
  await pipeline.flush();
  await pipeline.shutdown();
  entries = await eventually(
    async () => {
      const got = await lokiEntries(tenant, `{service_name="${service}"}`, lastMinutes(10));
      return got.length >= 31 ? got : undefined;
    },
    { timeoutMillis: 60_000 }
  );
  entries.sort((a, b) => Number(labelsOf(a).audit_chain_seq) - Number(labelsOf(b).audit_chain_seq));
});

test('the backend writes signed, linked digests under object lock; the heads it collected are in them', async () => {
  const last = entries.at(-1);
  const seq = Number(labelsOf(last).audit_chain_seq);
  assert.equal(labelsOf(last).audit_event, 'audit.chain.closed');
  // A digest written after the closing checkpoint was collected names it.
  const named = await eventually(
    async () => {
      for (const k of (await digestKeys(tenant)).reverse().slice(0, 5)) {
        const [line] = (await getObject(k)).toString('utf8').split('\n');
        const head = JSON.parse(line).chains?.[chainId];
        if (head?.seq === seq) {
          return { k, head };
        }
      }
      return undefined;
    },
    { timeoutMillis: 90_000, intervalMillis: 2000 }
  );
  assert.ok(named, 'a digest names the chain at its closing checkpoint');
  assert.equal(named.head.hash, labelsOf(last).audit_chain_hash);
  const keys = await digestKeys(tenant);
  const i = keys.indexOf(named.k);
  if (i > 0) {
    const [line] = (await getObject(keys[i])).toString('utf8').split('\n');
    const prev = createHash('sha256')
      .update(await getObject(keys[i - 1]))
      .digest('hex');
    assert.equal(JSON.parse(line).previous.sha256, prev, 'each digest names the one before it');
  }
  // Write once: neither the bucket's owner nor anyone else deletes or overwrites a digest.
  await assert.rejects(s3.send(new DeleteObjectCommand({ Bucket: S3.digestBucket, Key: named.k })), /lock|denied/i);
  await assert.rejects(
    s3.send(new PutObjectCommand({ Bucket: S3.digestBucket, Key: named.k, Body: '{}\n{}\n' })),
    /lock|denied|precondition/i
  );
});

test('heads file deleted and the end of a chain gone from Loki: the verification and the CLI name it from the digests', async () => {
  // A second chain of 30, recorded in the first tenant; the second tenant's Loki holds it cut after
  // seq 20 (Loki's deletion API is off, so the cut trail is built by copying the first 20), while the
  // backend had seen it up to seq 30 (its heads file says so) and wrote that into a digest.
  const svc = `${service}-cut`;
  const p = createAuditPipeline({
    tenant: cfg.defaultTenant,
    serviceName: svc,
    environment: 'test',
    url: cfg.otlpUrl,
    meterProvider: false,
    chainKey: key,
  });
  const cutChain = p.chain.chainId;
  await runWithAuditContext({ actor: { id: `u-${run}` }, tenant: cfg.defaultTenant }, async () => {
    for (let i = 0; i < 30; i++) {
      p.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', description: `c ${i}` });
    }
  });
  await p.flush();
  await p.shutdown();
  const full = await eventually(async () => {
    const got = await lokiEntries(cfg.defaultTenant, `{service_name="${svc}"}`, lastMinutes(10));
    return got.length === 30 ? got : undefined;
  });
  full.sort((a, b) => Number(labelsOf(a).audit_chain_seq) - Number(labelsOf(b).audit_chain_seq));
  const INDEX = ['service_name', 'deployment_environment_name', 'audit_category', 'severity_text'];
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...lokiHeaders(tenant) },
    body: JSON.stringify({
      streams: full.slice(0, 20).map((e) => ({
        stream: Object.fromEntries(INDEX.map((k) => [k, e.labels[k]]).filter(([, v]) => v !== undefined)),
        values: [[e.ts, e.line, Object.fromEntries(Object.entries(e.labels).filter(([k]) => !INDEX.includes(k)))]],
      })),
    }),
  });
  assert.ok(res.ok, `push ${res.status}`);
  const headsFile = path.join(cfg.dataDir, 'grafana', 'attest', `chain-heads-${tenant}.json`);
  const head = {
    service: svc,
    seq: 30,
    hash: labelsOf(full[29]).audit_chain_hash,
    timeNs: Number(full[29].ts),
    seenAt: new Date().toISOString(),
  };
  // The heads the backend keeps; written until a digest carries them (a collection may rewrite the file).
  await eventually(
    async () => {
      for (const k of (await digestKeys(tenant)).reverse().slice(0, 5)) {
        if (JSON.parse((await getObject(k)).toString('utf8').split('\n')[0]).chains?.[cutChain]?.seq === 30) {
          return true;
        }
      }
      const heads = fs.existsSync(headsFile) ? JSON.parse(fs.readFileSync(headsFile, 'utf8')) : { chains: {} };
      if (heads.chains[cutChain]?.seq !== 30) {
        heads.chains[cutChain] = head;
        fs.writeFileSync(headsFile, JSON.stringify(heads));
      }
      return undefined;
    },
    { timeoutMillis: 90_000, intervalMillis: 2000 }
  );
  await eventually(async () => (await lokiEntries(tenant, `{service_name="${svc}"}`, lastMinutes(10))).length === 20);
  // Someone holding the server deletes the heads file.
  fs.rmSync(headsFile, { force: true });
  const range = lastMinutes(10);
  const started = await grafana('POST', `${RESOURCES}/integrity/verifications`, {
    org,
    body: { from: range.from, to: range.to, service: svc },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const done = await eventually(
    async () => {
      const list = await grafana('GET', `${RESOURCES}/integrity/verifications`, { org });
      const v = list.body.verifications.find((x) => x.id === started.body.id);
      return v && v.status !== 'pending' && v.status !== 'running' ? v : undefined;
    },
    { timeoutMillis: 120_000 }
  );
  const s = done.summary;
  assert.equal(s.ok, false);
  assert.equal(s.checkpoints.checked, 0, 'the backend kept no heads: only the digests know');
  assert.ok(
    s.digests.missing.some((x) => x.chainId === cutChain && x.problem === 'truncated' && x.seq === 30),
    JSON.stringify(s.digests)
  );
  assert.ok(s.problems.some((x) => x.chainId === cutChain && x.problem === 'truncated'));

  // The CLI, from a copy of the bucket's digests of that tenant and the backend's public key.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-digests-'));
  for (const k of await digestKeys(tenant)) {
    const local = path.join(dir, k.slice(`digests/${tenant}/`.length));
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, await getObject(k));
  }
  const signingKey = (await grafana('GET', `${RESOURCES}/signing-key`, { org })).body.publicKey;
  const keysFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'attest-keys-')), 'keys.json');
  fs.writeFileSync(keysFile, JSON.stringify({ [key.id]: key.secret.toString('hex') }));
  const args = ['verify', '--loki', cfg.lokiUrl, '--tenant', tenant, '--user', GATEWAY_SERVICE_USER];
  args.push('--password', gatewayPassword(cfg), '--selector', `{service_name="${svc}"}`, '--from', '10m');
  args.push('--keys', keysFile, '--require-keyed');
  const out = [];
  const code = await cli([...args, '--digests', dir, '--digest-key', signingKey], (l) => out.push(l));
  assert.equal(code, 1, out.join('\n'));
  assert.match(out.join('\n'), new RegExp(`chain ${cutChain} seq 30: truncated`));
  // Without the digests the cut chain looks whole: that is what the digests are for.
  const without = [];
  assert.equal(await cli(args, (l) => without.push(l)), 0, without.join('\n'));
  // A digest altered in the copy is caught by its signature.
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.json'));
  const victim = path.join(dir, files.at(-1));
  fs.writeFileSync(victim, fs.readFileSync(victim, 'utf8').replace('"seq":', '"seq":1'));
  const tampered = [];
  assert.equal(await cli([...args, '--digests', dir, '--digest-key', signingKey], (l) => tampered.push(l)), 1);
  assert.match(tampered.join('\n'), /digest_signature|truncated/);
});
