// The HTTP middleware on real Express and Fastify servers, sending through the real Collector to Loki:
// every create, update and delete is recorded without the handler asking, with its actor, target,
// outcome and the before/after a handler gives. Own tenant and service.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { auditExpress, auditFastify, createAuditPipeline, setAuditChanges, type AuditHttpOptions } from '../src';
import { OTLP_URL, waitForEntries } from './loki';

const run = randomBytes(4).toString('hex');
const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;

function options(pipeline: ReturnType<typeof createAuditPipeline>, tenant: string): AuditHttpOptions {
  return {
    logger: pipeline,
    getTenant: () => tenant,
    getActor: (req) => {
      const auth = (req as { headers: Record<string, string | undefined> }).headers.authorization;
      return auth === 'Bearer tok-ada'
        ? { id: 'u-ada', email: 'ada@example.com', roles: ['billing-admin'] }
        : undefined;
    },
  };
}

async function exercise(base: string) {
  const h = { 'content-type': 'application/json', authorization: 'Bearer tok-ada' };
  assert.equal((await fetch(`${base}/invoices`, { method: 'POST', headers: h, body: '{"amount":10}' })).status, 201);
  assert.equal(
    (await fetch(`${base}/invoices/inv-7`, { method: 'PUT', headers: h, body: '{"amount":12}' })).status,
    200
  );
  const del = await fetch(`${base}/invoices/inv-8`, { method: 'DELETE', headers: { authorization: 'Bearer nobody' } });
  assert.equal(del.status, 403);
}

async function check(tenant: string, service: string) {
  const { entries } = await waitForEntries(tenant, `{service_name="${service}"}`, startNs, (es) => es.length >= 3);
  const byEvent = (e: string) => entries.filter((x) => x.metadata.audit_event === e);
  const [created] = byEvent('invoice.created');
  assert.ok(created, JSON.stringify(entries.map((e) => e.metadata.audit_event)));
  assert.equal(created.labels.audit_category, 'DATA_MODIFY');
  assert.equal(created.metadata.user_id, 'u-ada');
  assert.equal(created.metadata.audit_outcome, 'success');
  const [updated] = byEvent('invoice.updated');
  assert.equal(updated.metadata.audit_target_id, 'inv-7');
  assert.deepEqual(JSON.parse(updated.metadata.audit_changes), { before: { amount: 10 }, after: { amount: 12 } });
  const [denied] = byEvent('invoice.deleted');
  assert.equal(denied.metadata.audit_outcome, 'denied');
  assert.equal(denied.metadata.audit_target_id, 'inv-8');
}

describe('HTTP middleware through the Collector', () => {
  it('Express: creates, updates and deletes reach Loki without the handlers recording anything', async () => {
    const tenant = `mw-express-${run}`;
    const service = `mw-express-${run}`;
    const pipeline = createAuditPipeline({
      tenant,
      serviceName: service,
      environment: 'e2e',
      url: OTLP_URL,
      meterProvider: false,
    });
    const app = express();
    app.use(express.json());
    app.use(auditExpress(options(pipeline, tenant)));
    app.post('/invoices', (_req, res) => void res.status(201).json({ id: 'inv-1' }));
    app.put('/invoices/:id', (req, res) => {
      setAuditChanges({ amount: 10 }, req.body);
      res.json({ ok: true });
    });
    app.delete('/invoices/:id', (_req, res) => void res.status(403).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      await exercise(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      await new Promise((r) => setTimeout(r, 100));
      await pipeline.flush();
      await check(tenant, service);
    } finally {
      server.close();
      await pipeline.shutdown();
    }
  });

  it('Fastify: creates, updates and deletes reach Loki without the handlers recording anything', async () => {
    const tenant = `mw-fastify-${run}`;
    const service = `mw-fastify-${run}`;
    const pipeline = createAuditPipeline({
      tenant,
      serviceName: service,
      environment: 'e2e',
      url: OTLP_URL,
      meterProvider: false,
    });
    const app = Fastify();
    await app.register(auditFastify, options(pipeline, tenant));
    app.post('/invoices', async (_req, reply) => reply.code(201).send({ id: 'inv-1' }));
    app.put('/invoices/:id', async (req, reply) => {
      setAuditChanges({ amount: 10 }, req.body);
      return reply.send({ ok: true });
    });
    app.delete('/invoices/:id', async (_req, reply) => reply.code(403).send());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await exercise(url);
      await new Promise((r) => setTimeout(r, 100));
      await pipeline.flush();
      await check(tenant, service);
    } finally {
      await app.close();
      await pipeline.shutdown();
    }
  });
});
