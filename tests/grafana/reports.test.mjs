// Compliance reports through the real Grafana, backend and Loki, in an org of their own (tenant
// initech): a SOX evidence pack whose PDF totals (read back with pdf.js) equal LogQL counts and whose
// files match the signed manifest; a tampered record makes the report say so; a report survives a
// Grafana restart mid-generation; a failed report carries its reason and can be retried; bulk delete
// removes rows and files; bad requests are 400 and a Viewer gets 403; every step is in the trail.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify as verifySignature } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';

import { pdfText } from './pdfText.mjs';

import { createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import { lokiHeaders, repoRoot, startService, stopService } from '../../scripts/stack/lib.mjs';
import {
  RESOURCES,
  cfg,
  createUser,
  downloadBytes,
  ensureSecondOrg,
  eventually,
  grafana,
  lokiEntries,
  tenantOf,
  unzip,
} from './helpers.mjs';

const run = randomBytes(4).toString('hex');
const service = `reports-${run}`;
const SOX = '(.*,)? *SOX *(,.*)?';
const filesDir = path.join(cfg.dataDir, 'grafana', 'attest', 'files');
let org;
let tenant;
let period;
let entries;

const call = (method, p, opts = {}) => grafana(method, `${RESOURCES}/${p}`, { org, ...opts });
const iso = (ms) => new Date(ms).toISOString();

const download = (p) => downloadBytes(p, { org });

/** LogQL's own count of `pipeline` over the period, in the report's tenant. */
async function count(fromMs, toMs, pipeline = '', by = '') {
  const ms = toMs - fromMs;
  const agg = by ? `sum by (${by})` : 'sum';
  const qs = new URLSearchParams({
    query: `${agg}(count_over_time({service_name=~".+"}${pipeline} [${ms}ms]))`,
    time: String((toMs - 1) / 1000),
  });
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query?${qs}`, { headers: lokiHeaders(tenant) });
  const body = await res.json();
  assert.equal(body.status, 'success', JSON.stringify(body));
  if (by) {
    return Object.fromEntries(body.data.result.map((r) => [r.metric[by], Number(r.value[1])]));
  }
  return Number(body.data.result?.[0]?.value?.[1] ?? 0);
}

async function generate(spec, opts = {}) {
  const res = await call('POST', 'reports', { body: spec, ...opts });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body;
}

async function finished(id, timeoutMillis = 180_000) {
  const job = await eventually(
    async () => {
      const r = await call('GET', `reports/${id}`);
      return r.status === 200 && r.body.status !== 'pending' && r.body.status !== 'running' ? r.body : undefined;
    },
    { timeoutMillis, intervalMillis: 500 }
  );
  assert.ok(job, `report ${id} finished`);
  return job;
}

const fmt = (n) => n.toLocaleString('en-US');

before(async () => {
  org = await ensureSecondOrg('Attest reports org');
  tenant = tenantOf(org);
  assert.ok(tenant, `org ${org} has a tenant in ${cfg.tenants}`);
  const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-reports-'));
  const pipeline = createAuditPipeline({
    tenant,
    serviceName: service,
    environment: 'test',
    url: cfg.otlpUrl,
    spoolDir: spool,
    meterProvider: false,
  });
  const start = Date.now() - 2_000;
  const events = [
    ...Array.from({ length: 6 }, (_, i) => ({
      type: 'user.created',
      category: 'USER_MGMT',
      action: 'create',
      description: `user ${i}`,
    })),
    {
      type: 'user.role.changed',
      category: 'PERMISSION',
      action: 'update',
      changes: { before: { role: 'member' }, after: { role: 'admin' } },
    },
    { type: 'permission.override.created', category: 'PERMISSION', action: 'create' },
    ...Array.from({ length: 3 }, () => ({
      type: 'invoice.updated',
      category: 'DATA_MODIFY',
      action: 'update',
      outcome: 'denied',
      severity: 'WARNING',
    })),
    ...Array.from({ length: 4 }, () => ({
      type: 'auth.login.failed',
      category: 'AUTH',
      action: 'login',
      outcome: 'failure',
    })),
    { type: 'subscription.updated', category: 'SUBSCRIPTION', action: 'update', severity: 'ERROR', outcome: 'failure' },
  ];
  await runWithAuditContext(
    { actor: { id: `u-${run}`, email: `r-${run}@example.com`, name: 'Report Tester' }, tenant },
    async () => {
      for (const e of events) {
        pipeline.record(e);
      }
    }
  );
  await pipeline.flush();
  await pipeline.shutdown();
  entries = await eventually(async () => {
    const got = await lokiEntries(tenant, `{service_name="${service}"}`, {
      from: String(BigInt(start) * 1_000_000n),
      to: String(BigInt(Date.now() + 60_000) * 1_000_000n),
    });
    return got.length === events.length ? got : undefined;
  });
  assert.ok(entries, 'the producer’s events are in Loki');
  // The period: from just before the first event to now (the report's end may not be in the future).
  period = { from: start - 60_000, to: Date.now() };
});

test('a SOX evidence pack: PDF totals equal LogQL counts, files match the signed manifest, integrity verified', async () => {
  period.to = Date.now();
  const job = await generate({ type: 'SOX', name: `Q4 SOX ${run}`, from: iso(period.from), to: iso(period.to) });
  const done = await finished(job.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));

  const selected = await count(period.from, period.to, ` | audit_compliance=~"${SOX}"`);
  const all = await count(period.from, period.to);
  const byCategory = await count(period.from, period.to, ` | audit_compliance=~"${SOX}"`, 'audit_category');
  const failed = await count(period.from, period.to, ` | audit_compliance=~"${SOX}" | audit_outcome=~"failure|denied"`);
  assert.ok(selected >= 12, `SOX events in the period: ${selected}`);
  assert.equal(done.rows, selected, 'the job counts the selected events');

  const pack = await download(`reports/${job.id}/download`);
  assert.equal(pack.status, 200);
  assert.equal(pack.type, 'application/zip');
  assert.equal(createHash('sha256').update(pack.bytes).digest('hex'), done.sha256);
  const dir = unzip(pack.bytes);
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    'events.csv',
    'events.jsonl',
    'manifest.json',
    'manifest.sig',
    'report.pdf',
  ]);

  // The manifest covers every file, and its signature checks with the key the app publishes.
  const manifestBytes = fs.readFileSync(path.join(dir, 'manifest.json'));
  const manifest = JSON.parse(manifestBytes);
  const key = (await call('GET', 'signing-key')).body;
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key.publicKey, 'base64')]);
  const sig = Buffer.from(fs.readFileSync(path.join(dir, 'manifest.sig'), 'utf8').trim(), 'base64');
  assert.ok(
    verifySignature(null, manifestBytes, createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig),
    'signature'
  );
  assert.equal(manifest.key_id, key.keyId);
  assert.deepEqual(manifest.files.map((f) => f.name).sort(), ['events.csv', 'events.jsonl', 'report.pdf']);
  for (const f of manifest.files) {
    const bytes = fs.readFileSync(path.join(dir, f.name));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, f.name);
    assert.equal(bytes.length, f.size, f.name);
  }
  assert.equal(manifest.selected_events, selected);
  assert.equal(manifest.integrity_ok, true);

  // The event files hold exactly the selected events.
  const lines = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, selected);
  assert.ok(lines.every((l) => JSON.parse(l).compliance.includes('SOX')));
  const ours = lines.map((l) => JSON.parse(l)).filter((e) => e.service === service);
  assert.equal(ours.length, 12, 'the producer’s SOX events (AUTH is not SOX)');
  const csvRows = fs.readFileSync(path.join(dir, 'events.csv'), 'utf8').trim().split('\n').length - 1;
  assert.equal(csvRows, selected);

  // The PDF says the same figures as LogQL.
  const text = await pdfText(path.join(dir, 'report.pdf'));
  assert.match(text, new RegExp(`Q4 SOX ${run}`));
  assert.match(
    text,
    new RegExp(`Events selected\\s+${fmt(selected)} \\(of ${fmt(all)} events recorded in the period\\)`)
  );
  assert.match(text, new RegExp(`Failed and denied\\s+${fmt(failed)}\\b`));
  for (const [cat, n] of Object.entries(byCategory)) {
    assert.match(text, new RegExp(`\\n\\s*${cat}\\s+${fmt(n)}\\n`), `${cat} ${n}`);
  }
  assert.match(text, /Integrity verified: [\d,]+ records in \d+ chains intact/);
  assert.match(text, /ITGC-AC-02\s+Privileged access and role changes/);
  assert.match(text, /user\.role\.changed/, 'the role change is listed among privileged changes');
  assert.match(text, new RegExp(`u-${run}\\s+Report Tester\\s+12\\n`), 'the top actor');

  // The PDF alone, and the pack checked by the offline verifier.
  const pdf = await download(`reports/${job.id}/download?file=pdf`);
  assert.equal(pdf.type, 'application/pdf');
  assert.deepEqual(pdf.bytes, fs.readFileSync(path.join(dir, 'report.pdf')));
  const zipFile = path.join(dir, '..', 'pack.zip');
  const verifier = ['run', './pkg/cmd/attest-verify', '-pack', zipFile, '-public-key', key.publicKey];
  assert.match(execFileSync('go', verifier, { cwd: repoRoot, encoding: 'utf8' }), /^OK: report/);
  const tampered = Buffer.from(pack.bytes);
  tampered[tampered.indexOf(Buffer.from('events.jsonl')) + 200] ^= 0x01;
  fs.writeFileSync(zipFile, tampered);
  assert.throws(() => execFileSync('go', verifier, { cwd: repoRoot, stdio: 'pipe' }), 'a changed byte fails');

  // Requested, generated and downloaded are in the trail.
  const trail = await eventually(async () => {
    const got = await lokiEntries(tenant, `{service_name="attest-grafana-app"} | audit_target_id="${job.id}"`, {
      from: String(BigInt(period.from) * 1_000_000n),
      to: String(BigInt(Date.now() + 60_000) * 1_000_000n),
    });
    const types = new Set(got.map((e) => e.labels.audit_event));
    return ['audit.report.requested', 'audit.report.generated', 'audit.report.downloaded'].every((t) => types.has(t))
      ? got
      : undefined;
  });
  assert.ok(trail, 'requested, generated and downloaded are recorded');
  assert.equal(trail.find((e) => e.labels.audit_event === 'audit.report.generated').labels.audit_actor_type, 'system');
});

test('a custom report selects by category and actor, exactly as LogQL does', async () => {
  const to = Date.now();
  const job = await generate({
    type: 'Custom',
    name: `custom ${run}`,
    from: iso(period.from),
    to: iso(to),
    categories: ['AUTH', 'PERMISSION'],
    actors: [`u-${run}`],
  });
  const done = await finished(job.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  const want = await count(period.from, to, ` | audit_category=~"AUTH|PERMISSION" | user_id="u-${run}"`);
  assert.equal(want, 6);
  assert.equal(done.rows, want);
  const text = await pdfText(path.join(unzip((await download(`reports/${job.id}/download`)).bytes), 'report.pdf'));
  assert.match(text, /categories AUTH, PERMISSION; actors u-/);
  assert.match(text, /Events selected\s+6 \(of/);
});

test('a tampered record in the period makes the report say so', async () => {
  const victim = entries.find((e) => e.labels.audit_event === 'invoice.updated');
  const INDEX = ['service_name', 'deployment_environment_name', 'audit_category', 'severity_text'];
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...lokiHeaders(tenant) },
    body: JSON.stringify({
      streams: [
        {
          stream: Object.fromEntries(INDEX.map((k) => [k, victim.labels[k]])),
          values: [
            [
              (BigInt(victim.ts) + 1_000n).toString(),
              'invoice approved',
              {
                ...Object.fromEntries(Object.entries(victim.labels).filter(([k]) => !INDEX.includes(k))),
                audit_outcome: 'success',
              },
            ],
          ],
        },
      ],
    }),
  });
  assert.ok(res.ok, `push ${res.status}`);
  const to = Date.now();
  const done = await finished(
    (await generate({ type: 'SOX', name: `tampered ${run}`, from: iso(period.from), to: iso(to) })).id
  );
  assert.equal(done.status, 'completed', JSON.stringify(done));
  const dir = unzip((await download(`reports/${done.id}/download`)).bytes);
  const text = await pdfText(path.join(dir, 'report.pdf'));
  assert.match(text, /Integrity problems found: [\d,]+ in the period/);
  assert.match(
    text,
    new RegExp(`conflict at chain ${victim.labels.audit_chain_id} position ${victim.labels.audit_chain_seq}`)
  );
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'))).integrity_ok, false);
});

test('a report survives a Grafana restart mid-generation and completes with every event', async () => {
  // Enough entries that generation takes a while: pushed straight into Loki, an hour back.
  const base = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  const total = 60_000;
  for (let b = 0; b < total / 5000; b++) {
    const values = Array.from({ length: 5000 }, (_, i) => {
      const n = b * 5000 + i;
      return [
        (base + BigInt(n) * 1_000_000n).toString(),
        `bulk ${n}`,
        {
          audit_id: `bulk-${run}-${n}`,
          audit_event: 'file.downloaded',
          audit_outcome: 'success',
          audit_compliance: 'SOX,ISO27001',
          user_id: `u-${n % 50}`,
        },
      ];
    });
    const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...lokiHeaders(tenant) },
      body: JSON.stringify({
        streams: [
          { stream: { service_name: `bulk-${run}`, audit_category: 'FILE_OPS', severity_text: 'INFO' }, values },
        ],
      }),
    });
    assert.ok(res.ok, `push ${res.status} ${await res.text()}`);
  }
  const from = Number(base / 1_000_000n) - 1000;
  const to = from + 120_000;
  assert.equal(
    await eventually(async () => ((await count(from, to, ` | audit_compliance=~"${SOX}"`)) === total ? total : 0)),
    total
  );
  const job = await generate({ type: 'SOX', name: `restart ${run}`, from: iso(from), to: iso(to) });
  const running = await eventually(
    async () => {
      const j = (await call('GET', `reports/${job.id}`)).body;
      return j.status === 'running' && j.rows > 0
        ? j
        : j.status === 'completed' || j.status === 'failed'
          ? j
          : undefined;
    },
    { intervalMillis: 100 }
  );
  assert.equal(running.status, 'running', `caught mid-generation: ${JSON.stringify(running)}`);
  await stopService('grafana', { cfg });
  await startService('grafana', { cfg, timeoutMillis: 120_000 });
  const done = await finished(job.id, 300_000);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.equal(done.rows, total);
  const dir = unzip((await download(`reports/${job.id}/download`)).bytes);
  assert.equal(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').length, total);
  assert.match(
    await pdfText(path.join(dir, 'report.pdf')),
    new RegExp(`Events selected\\s+${fmt(total)} \\(of ${fmt(total)}`)
  );
});

test('a report that fails says why, and a retry generates it', async () => {
  await stopService('loki', { cfg });
  let failed;
  try {
    const job = await generate({ type: 'GDPR', name: `retry ${run}`, from: iso(period.from), to: iso(Date.now()) });
    failed = await finished(job.id, 120_000);
  } finally {
    await startService('loki', { cfg });
  }
  assert.equal(failed.status, 'failed');
  assert.match(failed.error, /audit store \(Loki\)/);
  const retried = await call('POST', `reports/${failed.id}/retry`);
  assert.equal(retried.status, 202, JSON.stringify(retried.body));
  const done = await finished(failed.id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.equal((await call('POST', `reports/${failed.id}/retry`)).status, 409, 'only a failed report is retried');
});

test('bulk delete removes the rows and their files, and is recorded; an unknown id deletes nothing', async () => {
  const list = (await call('GET', 'reports')).body.reports;
  const ids = list
    .filter((r) => r.name.endsWith(run) && r.status === 'completed')
    .map((r) => r.id)
    .slice(0, 2);
  assert.equal(ids.length, 2);
  assert.ok(
    fs.readdirSync(filesDir).some((f) => f.startsWith(ids[0])),
    'the files exist first'
  );
  const refused = await call('POST', 'reports/delete', { body: { ids: [ids[0], 'no-such-report'] } });
  assert.equal(refused.status, 404);
  assert.equal((await call('GET', `reports/${ids[0]}`)).status, 200, 'nothing deleted');
  const res = await call('POST', 'reports/delete', { body: { ids } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.deleted, 2);
  for (const id of ids) {
    assert.equal((await call('GET', `reports/${id}`)).status, 404);
    assert.deepEqual(
      fs.readdirSync(filesDir).filter((f) => f.startsWith(id)),
      []
    );
  }
  const deleted = await eventually(async () => {
    const got = await lokiEntries(tenant, '{service_name="attest-grafana-app"} | audit_event="audit.report.deleted"', {
      from: String(BigInt(period.from) * 1_000_000n),
      to: String(BigInt(Date.now() + 60_000) * 1_000_000n),
    });
    return ids.every((id) => got.some((e) => e.labels.audit_target_id === id)) ? got : undefined;
  });
  assert.ok(deleted, 'each deletion is recorded');
});

test('bad requests are 400 with the reason; a Viewer gets 403', async () => {
  const now = Date.now();
  const day = 86_400_000;
  const cases = [
    [{ type: 'SOX', name: '', from: iso(now - day), to: iso(now) }, 'invalid_name', /name is required/],
    [{ type: 'SOX', name: 'x', from: iso(now), to: iso(now - day) }, 'invalid_to', /after the start/],
    [{ type: 'SOX', name: 'x', from: iso(now - day), to: iso(now + day) }, 'invalid_to', /in the future/],
    [{ type: 'SOX', name: 'x', from: iso(now - 400 * day), to: iso(now) }, 'invalid_from', /retention window/],
    [{ type: 'SOC3', name: 'x', from: iso(now - day), to: iso(now) }, 'invalid_type', /report type must be one of/],
    [{ type: 'SOX', name: 'x', from: iso(now - day), to: iso(now), categories: ['AUTH'] }, 'invalid_type', /Custom/],
  ];
  for (const [body, code, message] of cases) {
    const res = await call('POST', 'reports', { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error, code);
    assert.match(res.body.message, message);
  }
  assert.equal((await call('POST', 'reports', { body: 'not json' })).status, 400);
  const viewer = await createUser('Viewer', { prefix: 'reports-viewer', orgs: [org] });
  for (const [method, p] of [
    ['GET', 'reports'],
    ['POST', 'reports'],
    ['GET', 'reports/types'],
    ['POST', 'reports/delete'],
  ]) {
    const res = await call(method, p, { as: viewer, body: method === 'POST' ? {} : undefined });
    assert.equal(res.status, 403, `${method} ${p}`);
  }
});
