// Producers authenticate at the Collector (collector/attestauth): a credential maps to its tenant,
// whatever X-Scope-OrgID the producer sends; a wrong or missing credential is refused with 401 and
// counted, and the package says so instead of dropping events silently. Producers are added to the
// credentials file as an operator would, while the Collector runs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';

import { AuditDeliveryError, createAuditPipeline, runWithAuditContext } from '../../instrumentation/src/index.ts';
import { credentialsFile, sha256Hex } from '../../scripts/stack/lib.mjs';
import { cfg, countsByAuditId, recentEvents, uniqueTenant, waitForDistinct } from './helpers.mjs';
import { toOtlpJson } from '../../scripts/demo/otlp.mjs';

const billing = { token: randomBytes(16).toString('hex'), tenant: uniqueTenant('billing') };
const crm = { token: randomBytes(16).toString('hex'), tenant: uniqueTenant('crm') };
// A producer bound to its service names (attest_scope).
const invoices = { token: randomBytes(16).toString('hex'), tenant: uniqueTenant('invoices'), service: 'invoice-api' };

async function post(headers, events) {
  return fetch(`${cfg.otlpUrl}/v1/logs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(toOtlpJson(events)),
  });
}

async function refusedCount() {
  const text = await (await fetch(`http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`)).text();
  return [...text.matchAll(/^attest_auth_refused\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

before(async () => {
  const file = credentialsFile(cfg);
  const lines = [billing, crm].map(
    (p, i) => `  - name: producer-${i}\n    tenant: ${p.tenant}\n    token_sha256: ${sha256Hex(p.token)}\n`
  );
  lines.push(
    `  - name: producer-invoices\n    tenant: ${invoices.tenant}\n    token_sha256: ${sha256Hex(invoices.token)}\n    services: [${invoices.service}]\n`
  );
  fs.appendFileSync(file, lines.join(''));
  // The Collector reads the file again within a second of a change.
  await new Promise((r) => setTimeout(r, 1500));
});

test('the tenant comes from the credential: a cross-tenant write with another producer’s credential lands nowhere else', async () => {
  const events = recentEvents({ count: 5, tenant: billing.tenant });
  // billing's credential, naming crm's tenant in the header.
  const res = await post({ Authorization: `Bearer ${billing.token}`, 'X-Scope-OrgID': crm.tenant }, events);
  assert.equal(res.status, 200, await res.text());
  const landed = await waitForDistinct(billing.tenant, events.length);
  assert.equal(landed.size, events.length, 'in the credential’s tenant');
  assert.equal((await countsByAuditId(crm.tenant)).size, 0, 'nothing in the tenant the header named');
  // Basic credentials work the same (the token as the password).
  const more = recentEvents({ count: 3, tenant: crm.tenant, seed: 11 });
  const basic = Buffer.from(`producer-1:${crm.token}`).toString('base64');
  assert.equal((await post({ Authorization: `Basic ${basic}` }, more)).status, 200);
  assert.equal((await waitForDistinct(crm.tenant, more.length)).size, more.length);
});

test('a wrong or missing credential is refused with 401 and counted', async () => {
  const before = await refusedCount();
  const events = recentEvents({ count: 2, tenant: billing.tenant, seed: 13 });
  for (const headers of [
    {},
    { Authorization: 'Bearer not-a-producer' },
    { Authorization: `Bearer ${billing.token}x` },
  ]) {
    const res = await post({ ...headers, 'X-Scope-OrgID': billing.tenant }, events);
    assert.equal(res.status, 401, JSON.stringify(headers));
  }
  assert.equal((await refusedCount()) - before, 3);
});

test('the package reports a refused credential as a delivery error, not a silent drop', async () => {
  const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-auth-'));
  const pipeline = createAuditPipeline({
    tenant: billing.tenant,
    serviceName: 'auth-test',
    url: cfg.otlpUrl,
    spoolDir: spool,
    meterProvider: false,
    headers: { Authorization: 'Bearer revoked-token' },
  });
  try {
    await runWithAuditContext({ actor: { id: 'u-1', email: 'u1@example.com' } }, async () => {
      await assert.rejects(
        pipeline.recordAndConfirm(
          { type: 'user.updated', category: 'USER_MGMT', action: 'update' },
          { timeoutMillis: 15_000 }
        ),
        (e) =>
          e instanceof AuditDeliveryError &&
          /refused this producer's credential/.test(e.message) &&
          /401/.test(e.message)
      );
    });
  } finally {
    await pipeline.shutdown();
  }
  // The refused records are kept in the spool's rejected file, not lost.
  const kept = fs.readdirSync(spool, { recursive: true }).filter((f) => /reject/i.test(String(f)));
  assert.ok(kept.length > 0, `rejected records kept in ${spool}`);
});

async function scopeRefused() {
  const text = await (await fetch(`http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`)).text();
  return [...text.matchAll(/^attest_scope_refused(?:_total)?\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

const asService = (events, name) => events.map((e) => ({ ...e, service: { ...e.service, name } }));

test('a producer writes only its own service names, and no producer writes as the backend', async () => {
  const before = await scopeRefused();
  const mine = asService(recentEvents({ count: 3, tenant: invoices.tenant, seed: 21 }), invoices.service);
  assert.equal((await post({ Authorization: `Bearer ${invoices.token}` }, mine)).status, 200);
  // Another service of the same request: the whole request is refused, nothing of it lands.
  const mixed = [
    ...asService(recentEvents({ count: 2, tenant: invoices.tenant, seed: 22 }), invoices.service),
    ...asService(recentEvents({ count: 2, tenant: invoices.tenant, seed: 23 }), 'payroll-api'),
  ];
  const refused = await post({ Authorization: `Bearer ${invoices.token}` }, mixed);
  assert.equal(refused.status, 403, await refused.text());
  // The backend's service name, with an unbound credential (billing's) and with the stack's own.
  const forged = asService(recentEvents({ count: 2, tenant: billing.tenant, seed: 24 }), 'attest-grafana-app');
  assert.equal((await post({ Authorization: `Bearer ${billing.token}` }, forged)).status, 403);
  const stack = fs.readFileSync(path.join(cfg.dataDir, 'producer-token'), 'utf8').trim();
  const forged2 = asService(recentEvents({ count: 2, tenant: crm.tenant, seed: 25 }), 'attest-grafana-app');
  assert.equal((await post({ Authorization: `Bearer ${stack}`, 'X-Scope-OrgID': crm.tenant }, forged2)).status, 403);
  // Nor as the Collector, whose notices say the store refused events (a fake one would page someone).
  const forged3 = asService(recentEvents({ count: 2, tenant: billing.tenant, seed: 26 }), 'attest-collector');
  assert.equal((await post({ Authorization: `Bearer ${billing.token}` }, forged3)).status, 403);
  assert.equal(
    (await waitForDistinct(invoices.tenant, mine.length)).size,
    mine.length,
    'only the allowed request landed'
  );
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await countsByAuditId(invoices.tenant)).size, mine.length, 'nothing of the refused request');
  assert.equal((await scopeRefused()) - before, 2 + 2 + 2 + 2, 'each refused record counted');
});
