// Server-side exports through the real Grafana, backend, Loki and Collector: every format holds exactly
// the filtered events (read back with a CSV parser, a JSON parser and an XLSX reader), formulas are
// neutralised, only the read role may export, and requesting and downloading are in the trail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

import { generateEvents } from '../../scripts/demo/generator.mjs';
import { pushOtlp } from '../../scripts/demo/otlp.mjs';
import { GRAFANA_ADMIN, repoRoot, startService, stopService } from '../../scripts/stack/lib.mjs';
import { RESOURCES, cfg, createUser, eventually, lastMinutes, lokiEntries } from './helpers.mjs';

const TENANT = cfg.defaultTenant;
const service = `export-${Date.now().toString(36)}`;
const COUNT = 1200; // more than one export page (1000)
let range;
let ids;
let viewer;

const basic = ({ user, password }) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(method, path, { as = GRAFANA_ADMIN, body } = {}) {
  const res = await fetch(`${cfg.grafanaUrl}${RESOURCES}/${path}`, {
    method,
    headers: { Authorization: basic(as), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const buf = Buffer.from(await res.arrayBuffer());
  let json;
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, buf, json };
}

before(async () => {
  viewer = await createUser('Viewer', { prefix: 'export-viewer' });
  const now = Date.now();
  const events = [
    ...generateEvents({ count: COUNT, startMillis: now - 120_000, endMillis: now - 1000, seed: 21, tenant: TENANT }),
  ];
  events.forEach((e, i) => {
    e.service = { name: service, environment: 'test' };
    e.attributes['audit.chain.id'] = `${service}-chain`;
    e.attributes['audit.chain.seq'] = String(i + 1);
    if (i === 0) {
      e.body = '=HYPERLINK("http://attacker.example","click")';
    }
  });
  await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: TENANT, events });
  range = lastMinutes(10);
  const loki = await eventually(async () => {
    const got = await lokiEntries(TENANT, `{service_name="${service}"}`, range);
    return got.length >= COUNT ? got : null;
  });
  assert.ok(loki, 'seeded events reached Loki');
  ids = new Set(loki.map((e) => e.labels.audit_id));
});

async function exportAndDownload(format) {
  const created = await call('POST', 'exports', {
    body: { name: `${service} ${format}`, format, params: { service, from: range.from, to: range.to } },
  });
  assert.equal(created.status, 202, created.buf.toString());
  const job = await eventually(
    async () => {
      const j = (await call('GET', `exports/${created.json.id}`)).json;
      return j.status === 'completed' || j.status === 'failed' ? j : null;
    },
    { timeoutMillis: 120_000 }
  );
  assert.equal(job?.status, 'completed', JSON.stringify(job));
  assert.equal(job.rows, COUNT);
  const file = await call('GET', `exports/${job.id}/download`);
  assert.equal(file.status, 200);
  assert.equal(
    crypto.createHash('sha256').update(file.buf).digest('hex'),
    job.sha256,
    'the file hash is the recorded one'
  );
  assert.equal(file.headers.get('x-attest-sha256'), job.sha256);
  assert.equal(file.buf.length, job.size);
  return { job, buf: file.buf };
}

test('CSV: BOM, every filtered event once, formulas neutralised', async () => {
  const { buf } = await exportAndDownload('csv');
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parse(buf.subarray(3), { columns: true });
  assert.equal(rows.length, COUNT);
  assert.deepEqual(new Set(rows.map((r) => r['Entry ID'])), ids);
  assert.ok(rows.some((r) => r.Description === `'=HYPERLINK("http://attacker.example","click")`));
  assert.ok(rows.every((r) => !/^[=+\-@]/.test(r.Description)));
});

test('every file has a signed manifest: checked in Node, by the route and by the command-line tool; tampering fails', async () => {
  const { job, buf } = await exportAndDownload('csv');
  const m = (await call('GET', `exports/${job.id}/manifest`)).json;
  assert.equal(m.manifest.file.sha256, job.sha256);
  assert.equal(m.manifest.file.rows, COUNT);
  assert.equal(m.manifest.filters.service, service);
  assert.deepEqual(m.manifest.chains, [{ id: `${service}-chain`, min_seq: 1, max_seq: COUNT, count: COUNT }]);
  const key = crypto.createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(m.publicKey, 'base64')]),
    format: 'der',
    type: 'spki',
  });
  assert.ok(
    crypto.verify(null, Buffer.from(m.manifestText), key, Buffer.from(m.signature, 'base64')),
    'Ed25519 signature'
  );
  const tampered = Buffer.from(buf);
  tampered[tampered.length - 5] ^= 1;
  const verify = async (file) =>
    (
      await call('POST', 'exports/verify', {
        body: { file: file.toString('base64'), manifest: m.manifestText, signature: m.signature },
      })
    ).json;
  assert.equal((await verify(buf)).valid, true);
  const bad = await verify(tampered);
  assert.equal(bad.valid, false);
  assert.match(bad.reason, /does not match its manifest/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-verify-'));
  fs.writeFileSync(path.join(dir, 'f.csv'), buf);
  fs.writeFileSync(path.join(dir, 'm.json'), m.manifestText);
  fs.writeFileSync(path.join(dir, 'm.sig'), m.signature);
  const cli = (file) =>
    spawnSync(
      'go',
      [
        'run',
        './pkg/cmd/attest-verify',
        '-file',
        file,
        '-manifest',
        path.join(dir, 'm.json'),
        '-signature',
        path.join(dir, 'm.sig'),
        '-public-key',
        m.publicKey,
      ],
      { cwd: repoRoot, encoding: 'utf8' }
    );
  const good = cli(path.join(dir, 'f.csv'));
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /^OK: /);
  fs.writeFileSync(path.join(dir, 'f.csv'), tampered);
  assert.equal(cli(path.join(dir, 'f.csv')).status, 1);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('JSON and JSON Lines: every filtered event once', async () => {
  const doc = JSON.parse((await exportAndDownload('json')).buf.toString('utf8'));
  assert.equal(doc.count, COUNT);
  assert.equal(doc.filters.service, service);
  assert.ok(!Number.isNaN(Date.parse(doc.exported_at)));
  assert.deepEqual(new Set(doc.entries.map((e) => e.id)), ids);
  const lines = (await exportAndDownload('jsonl')).buf
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(new Set(lines.map((e) => e.id)), ids);
  assert.equal(lines.length, COUNT);
});

test('Excel: read back by an XLSX reader, timestamps are dates', async () => {
  const { buf } = await exportAndDownload('xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf);
  const sheet = wb.getWorksheet('Audit log');
  assert.equal(sheet.getRow(1).getCell(1).value, 'Entry ID');
  const got = new Set();
  sheet.eachRow((row, n) => {
    if (n > 1) {
      got.add(row.getCell(1).value);
      assert.ok(row.getCell(2).value instanceof Date, 'the timestamp is a date');
    }
  });
  assert.deepEqual(got, ids);
});

test('a restart during an export ends Failed with the reason, or Completed with every row — never partial', async () => {
  const wide = lastMinutes(8 * 24 * 60); // the tenant's whole demo week: more rows, a longer export
  const expected = (await lokiEntries(TENANT, '{service_name=~".+"}', wide)).length;
  const created = await call('POST', 'exports', {
    body: { name: `${service} restart`, format: 'xlsx', params: { from: wide.from, to: wide.to } },
  });
  assert.equal(created.status, 202);
  await stopService('grafana', { cfg });
  await startService('grafana', { cfg, timeoutMillis: 120_000 });
  const job = await eventually(async () => {
    const j = (await call('GET', `exports/${created.json.id}`)).json;
    return j && j.status !== 'pending' && j.status !== 'running' ? j : null;
  });
  if (job.status === 'completed') {
    assert.ok(job.rows >= expected, `completed with ${job.rows} rows of ${expected}`);
  } else {
    assert.equal(job.status, 'failed');
    assert.match(job.error, /restarted/);
    assert.equal((await call('GET', `exports/${job.id}/download`)).status, 409);
  }
});

test('a Viewer may not export or list exports; bad requests are 400', async () => {
  for (const [method, path, body] of [
    ['POST', 'exports', { name: 'x', format: 'csv', params: { from: range.from, to: range.to } }],
    ['GET', 'exports'],
  ]) {
    const r = await call(method, path, { as: viewer, body });
    assert.equal(r.status, 403, `${method} ${path}`);
  }
  const bad = [
    [{ name: 'x', format: 'pdf', params: { from: range.from, to: range.to } }, /format/],
    [{ name: 'x'.repeat(201), format: 'csv', params: { from: range.from, to: range.to } }, /name/],
    [{ name: 'x', format: 'csv', params: { from: '0', to: range.to } }, /days/],
    [{ name: 'x', format: 'csv', params: { category: 'NOPE', from: range.from, to: range.to } }, /NOPE/],
    [{ name: 'x', format: 'csv', extra: 1 }, /unknown field/],
  ];
  for (const [body, message] of bad) {
    const r = await call('POST', 'exports', { body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.json.message, message);
  }
});

test('an unnamed export is named, like its file, audit-log-<timestamp>', async () => {
  const created = await call('POST', 'exports', {
    body: { format: 'csv', params: { service, from: range.from, to: range.to } },
  });
  assert.equal(created.status, 202, created.buf.toString());
  assert.match(created.json.name, /^audit-log-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
  const job = await eventually(
    async () => {
      const j = (await call('GET', `exports/${created.json.id}`)).json;
      return j.status === 'completed' || j.status === 'failed' ? j : null;
    },
    { timeoutMillis: 120_000 }
  );
  assert.equal(job.status, 'completed');
  const file = await call('GET', `exports/${job.id}/download`);
  assert.match(file.headers.get('content-disposition') ?? '', new RegExp(`filename="${created.json.name}\\.csv"`));
  const header = parse(file.buf.subarray(3), { columns: true })[0];
  for (const col of [
    'Service',
    'Metadata',
    'Session ID',
    'Actor roles',
    'Stack',
    'Region',
    'Data classification',
    'Chain hash',
  ]) {
    assert.ok(col in header, `column ${col}`);
  }
});

test('the history lists the exports; requesting and downloading are in the trail with the file hash', async () => {
  const list = (await call('GET', 'exports')).json.exports.filter((e) => e.name.startsWith(service));
  assert.ok(list.length >= 5);
  const hashes = new Set(list.map((e) => e.sha256));
  const trail = await eventually(async () => {
    const all = await lokiEntries(
      TENANT,
      '{service_name="attest-grafana-app"} | audit_event=~"audit.export.(requested|downloaded)"',
      lastMinutes(15)
    );
    // Export names are sealed in the trail (pkg/seal): the records are found by their exports' ids.
    const ids = new Set(list.map((e) => e.id));
    const mine = all.filter((e) => ids.has(e.labels.audit_target_id));
    return mine.filter((e) => e.labels.audit_event === 'audit.export.downloaded').length >= 5 ? mine : null;
  });
  assert.ok(trail, 'export entries are in the trail');
  const downloaded = trail.filter((e) => e.labels.audit_event === 'audit.export.downloaded');
  for (const d of downloaded) {
    assert.equal(d.labels.user_id, GRAFANA_ADMIN.user);
    const meta = JSON.parse(d.labels.audit_metadata);
    assert.ok(hashes.has(meta.sha256));
    assert.equal(meta.rows, COUNT);
  }
  assert.ok(trail.some((e) => e.labels.audit_event === 'audit.export.requested'));
  assert.ok(
    trail.every(
      (e) => e.labels.audit_target_name.startsWith('sealed:v1:') && !e.labels.audit_target_name.includes(service)
    ),
    'the names people gave are sealed in Loki'
  );
  const del = await call('DELETE', `exports/${list[0].id}`);
  assert.equal(del.status, 204);
  assert.equal((await call('GET', `exports/${list[0].id}`)).status, 404);
});
