import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { createAuditLogger } from '../src/AuditLogger';
import { setAuditActor } from '../src/context';
import {
  auditExpress,
  auditFastify,
  recordMfa,
  recordSso,
  setAuditChanges,
  skipAudit,
  type AuditHttpOptions,
} from '../src/middleware';
import { createMultiTenantAuditLogger } from '../src/MultiTenantAuditLogger';
import { ControlledExporter } from './helpers';

function setupLogger() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = createAuditLogger({ loggerProvider: provider });
  const records = async () => {
    await provider.forceFlush();
    return exporter.getFinishedLogRecords();
  };
  return { logger, records };
}

const users: Record<string, { id: string; email: string; roles: string[] }> = {
  'tok-ada': { id: 'u-ada', email: 'ada@example.com', roles: ['admin'] },
};
const actorOf = (req: unknown) => {
  const auth = (req as { headers: Record<string, string | undefined> }).headers.authorization;
  const u = auth ? users[auth.replace('Bearer ', '')] : undefined;
  return u ? { id: u.id, email: u.email, roles: u.roles } : undefined;
};

function options(logger: ReturnType<typeof setupLogger>['logger']): AuditHttpOptions {
  return {
    logger,
    getActor: actorOf,
    getSessionId: (req) => (req as { headers: Record<string, string | undefined> }).headers['x-session'],
    getTenant: () => 'acme',
    authRoutes: [
      { kind: 'login', path: '/login' },
      { kind: 'logout', path: '/logout' },
    ],
    piiRoutes: [{ path: '/customers/:id', type: 'customer' }],
  };
}

async function exercise(base: string) {
  const h = {
    'content-type': 'application/json',
    'user-agent': 'test-agent/1',
    'x-request-id': 'req-42',
    'x-session': 'sess-1',
  };
  const r1 = await fetch(`${base}/records`, {
    method: 'POST',
    headers: { ...h, authorization: 'Bearer tok-ada' },
    body: '{}',
  });
  assert.equal(r1.status, 201);
  await fetch(`${base}/login`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({ username: 'mallory', password: 'guess' }),
  });
  await fetch(`${base}/login`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({ username: 'ada', password: 'right' }),
  });
  await fetch(`${base}/customers/c-7`, { headers: { ...h, authorization: 'Bearer tok-ada' } });
  await fetch(`${base}/customers/missing`, { headers: { ...h, authorization: 'Bearer tok-ada' } });
  await fetch(`${base}/logout`, { method: 'POST', headers: { ...h, authorization: 'Bearer tok-ada' }, body: '{}' });
}

async function check(records: () => Promise<Array<{ attributes: Record<string, unknown> }>>) {
  const recs = (await records()).map((r) => r.attributes);
  const byEvent = (e: string) => recs.filter((a) => a['audit.event'] === e);
  const [created] = byEvent('record.created');
  assert.ok(created, 'handler event recorded');
  assert.equal(created['user.id'], 'u-ada');
  assert.equal(created['user_agent.original'], 'test-agent/1');
  assert.equal(created['audit.request.id'], 'req-42');
  assert.equal(created['session.id'], 'sess-1');
  assert.match(String(created['client.address']), /127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
  const failed = byEvent('auth.login.failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]['user.id'], 'mallory');
  assert.equal(failed[0]['audit.outcome'], 'failure');
  assert.ok(!JSON.stringify(failed).includes('guess'), 'the password never reaches the event');
  const ok = byEvent('auth.login.succeeded');
  assert.equal(ok.length, 1);
  assert.equal(ok[0]['user.id'], 'ada');
  const pii = byEvent('pii.read.customer');
  assert.equal(pii.length, 1, 'only the 2xx read is recorded');
  assert.equal(pii[0]['audit.category'], 'DATA_ACCESS');
  assert.equal(pii[0]['audit.target.id'], 'c-7');
  assert.equal(pii[0]['user.id'], 'u-ada');
  assert.equal(pii[0]['audit.classification'], 'pii');
  assert.equal(byEvent('auth.logout').length, 1);
}

describe('HTTP middleware', () => {
  describe('auditExpress', () => {
    let server: Server;
    afterEach(() => server?.close());

    it('should provide the request context and record auth and PII-read events', async () => {
      const { logger, records } = setupLogger();
      const app = express();
      app.use(express.json());
      app.use(auditExpress(options(logger)));
      app.post('/records', async (_req, res) => {
        await new Promise((r) => setTimeout(r, 5));
        logger.record({
          type: 'record.created',
          category: 'DATA_MODIFY',
          action: 'create',
          target: { type: 'record', id: '1' },
        });
        res.status(201).json({ ok: true });
      });
      app.post('/login', (req, res) => {
        res.status(req.body.password === 'right' ? 200 : 401).end();
      });
      app.post('/logout', (_req, res) => {
        res.status(204).end();
      });
      app.get('/customers/:id', (req, res) => {
        res.status(req.params.id === 'missing' ? 404 : 200).json({ id: req.params.id });
      });
      server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      await exercise(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      await new Promise((r) => setTimeout(r, 50));
      await check(records);
    });
  });

  describe('auditExpress with a MultiTenantAuditLogger', () => {
    it('should route handler and PII-read events to the tenant of the request', async () => {
      const exporters = new Map<string, ControlledExporter>();
      const audit = createMultiTenantAuditLogger({
        serviceName: 'svc',
        exporterFactory: (t) => {
          const e = new ControlledExporter();
          exporters.set(t, e);
          return e;
        },
      });
      const app = express();
      app.use(
        auditExpress({
          logger: audit,
          getActor: actorOf,
          getTenant: (req) => (req as { headers: Record<string, string | undefined> }).headers['x-tenant'],
          piiRoutes: [{ path: '/customers/:id', type: 'customer' }],
        })
      );
      app.get('/customers/:id', (req, res) => {
        audit.record({
          type: 'customer.viewed',
          category: 'DATA_ACCESS',
          action: 'read',
          target: { type: 'customer', id: req.params.id },
        });
        res.json({ id: req.params.id });
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        for (const tenant of ['acme', 'globex', 'acme']) {
          await fetch(`${base}/customers/c-${tenant}`, {
            headers: { authorization: 'Bearer tok-ada', 'x-tenant': tenant },
          });
        }
        await new Promise((r) => setTimeout(r, 50));
        await audit.flush();
        const events = (t: string) =>
          exporters.get(t)?.records.map((r) => [r.attributes['audit.event'], r.attributes['audit.target.id']]);
        assert.deepEqual(events('acme'), [
          ['customer.viewed', 'c-acme'],
          ['pii.read.customer', 'c-acme'],
          ['customer.viewed', 'c-acme'],
          ['pii.read.customer', 'c-acme'],
        ]);
        assert.deepEqual(events('globex'), [
          ['customer.viewed', 'c-globex'],
          ['pii.read.customer', 'c-globex'],
        ]);
      } finally {
        server.close();
        await audit.shutdown();
      }
    });
  });

  describe('auditExpress with setAuditActor', () => {
    it('should give the actor set by a handler to the response events', async () => {
      const { logger, records } = setupLogger();
      const app = express();
      app.use(auditExpress({ logger, piiRoutes: [{ path: '/customers/:id', type: 'customer' }] }));
      app.use((_req, _res, next) => {
        setAuditActor({ id: 'u-late', roles: ['support'] });
        next();
      });
      app.get('/customers/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/customers/c-1`);
        await new Promise((r) => setTimeout(r, 50));
        const [r] = await records();
        assert.equal(r.attributes['audit.event'], 'pii.read.customer');
        assert.equal(r.attributes['user.id'], 'u-late');
      } finally {
        server.close();
      }
    });
  });

  describe('auditFastify', () => {
    it('should provide the request context and record auth and PII-read events', async () => {
      const { logger, records } = setupLogger();
      const app = Fastify();
      await app.register(auditFastify, options(logger));
      app.post('/records', async (_req, reply) => {
        await new Promise((r) => setTimeout(r, 5));
        logger.record({
          type: 'record.created',
          category: 'DATA_MODIFY',
          action: 'create',
          target: { type: 'record', id: '1' },
        });
        reply.code(201).send({ ok: true });
      });
      app.post('/login', async (req, reply) => {
        reply.code((req.body as { password: string }).password === 'right' ? 200 : 401).send();
      });
      app.post('/logout', async (_req, reply) => {
        reply.code(204).send();
      });
      app.get('/customers/:id', async (req, reply) => {
        const id = (req.params as { id: string }).id;
        reply.code(id === 'missing' ? 404 : 200).send({ id });
      });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        await exercise(url);
        await new Promise((r) => setTimeout(r, 50));
        await check(records);
      } finally {
        await app.close();
      }
    });
  });
});

describe('mutations recorded without being asked', () => {
  type Rec = Record<string, unknown>;
  async function exerciseMutations(base: string) {
    const h = { 'content-type': 'application/json', authorization: 'Bearer tok-ada' };
    assert.equal(
      (await fetch(`${base}/v1/invoices`, { method: 'POST', headers: h, body: '{"amount":10}' })).status,
      201
    );
    assert.equal(
      (await fetch(`${base}/v1/invoices/inv-7`, { method: 'PUT', headers: h, body: '{"amount":12}' })).status,
      200
    );
    assert.equal(
      (await fetch(`${base}/v1/invoices/inv-8`, { method: 'DELETE', headers: { authorization: h.authorization } }))
        .status,
      403
    );
    assert.equal((await fetch(`${base}/v1/invoices/inv-9`, { method: 'PATCH', headers: h, body: '{}' })).status, 500);
    assert.equal((await fetch(`${base}/records`, { method: 'POST', headers: h, body: '{}' })).status, 201);
    assert.equal((await fetch(`${base}/quiet`, { method: 'POST', headers: h, body: '{}' })).status, 200);
    assert.equal((await fetch(`${base}/nowhere`, { method: 'POST', headers: h, body: '{}' })).status, 404);
    await fetch(`${base}/login`, { method: 'POST', headers: h, body: '{"username":"ada","password":"right"}' });
    assert.equal(
      (await fetch(`${base}/v1/invoices/inv-7`, { headers: { authorization: h.authorization } })).status,
      200
    );
  }

  async function checkMutations(records: () => Promise<Array<{ attributes: Rec }>>) {
    const recs = (await records()).map((r) => r.attributes);
    const byEvent = (e: string) => recs.filter((a) => a['audit.event'] === e);
    const [created] = byEvent('invoice.created');
    assert.ok(created, 'POST recorded as a create');
    assert.equal(created['audit.category'], 'DATA_MODIFY');
    assert.equal(created['audit.action'], 'create');
    assert.equal(created['audit.outcome'], 'success');
    assert.equal(created['user.id'], 'u-ada');
    assert.equal(created['audit.target.type'], 'invoice');
    const [updated] = byEvent('invoice.updated').filter((a) => a['audit.target.id'] === 'inv-7');
    assert.ok(updated, 'PUT recorded as an update of the route parameter');
    assert.deepEqual(JSON.parse(String(updated['audit.changes'])), { before: { amount: 10 }, after: { amount: 12 } });
    const [deleted] = byEvent('invoice.deleted');
    assert.equal(deleted['audit.outcome'], 'denied', '403 is denied');
    assert.equal(deleted['audit.target.id'], 'inv-8');
    const [failed] = byEvent('invoice.updated').filter((a) => a['audit.target.id'] === 'inv-9');
    assert.equal(failed['audit.outcome'], 'failure', '500 is a failure');
    assert.equal(byEvent('record.created').length, 1, "the handler's own event, not a second one");
    assert.equal(recs.filter((a) => String(a['audit.event']).startsWith('quiet.')).length, 0, 'skipAudit()');
    assert.equal(recs.filter((a) => String(a['audit.event']).startsWith('nowhere.')).length, 0, 'no route, no event');
    assert.equal(recs.filter((a) => String(a['audit.event']).startsWith('login.')).length, 0, 'sign-ins are AUTH');
    assert.equal(byEvent('invoice.read').length, 0, 'reads are not mutations');
    const [mfa] = byEvent('auth.mfa.failed');
    assert.equal(mfa['audit.category'], 'AUTH');
    assert.equal(mfa['user.id'], 'u-ada');
    assert.equal(byEvent('auth.sso.login.succeeded').length, 1);
  }

  it('should record every create, update and delete through Express', async () => {
    const { logger, records } = setupLogger();
    const app = express();
    app.use(express.json());
    app.use(auditExpress(options(logger)));
    app.post('/v1/invoices', (_req, res) => void res.status(201).json({ id: 'inv-1' }));
    app.put('/v1/invoices/:id', (req, res) => {
      setAuditChanges({ amount: 10 }, req.body);
      res.json({ ok: true });
    });
    app.delete('/v1/invoices/:id', (_req, res) => void res.status(403).end());
    app.patch('/v1/invoices/:id', (_req, res) => void res.status(500).end());
    app.get('/v1/invoices/:id', (_req, res) => void res.json({}));
    app.post('/records', (_req, res) => {
      logger.record({ type: 'record.created', category: 'DATA_MODIFY', action: 'create', target: { type: 'record' } });
      res.status(201).end();
    });
    app.post('/quiet', (_req, res) => {
      skipAudit();
      res.end();
    });
    app.post('/login', (_req, res) => {
      recordMfa(logger, { method: 'totp', success: false });
      recordSso(logger, { provider: 'okta', success: true });
      res.end();
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      await exerciseMutations(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      await new Promise((r) => setTimeout(r, 50));
      await checkMutations(records);
    } finally {
      server.close();
    }
  });

  it('should record every create, update and delete through Fastify', async () => {
    const { logger, records } = setupLogger();
    const app = Fastify();
    await app.register(auditFastify, options(logger));
    app.post('/v1/invoices', async (_req, reply) => reply.code(201).send({ id: 'inv-1' }));
    app.put('/v1/invoices/:id', async (req, reply) => {
      setAuditChanges({ amount: 10 }, req.body);
      return reply.send({ ok: true });
    });
    app.delete('/v1/invoices/:id', async (_req, reply) => reply.code(403).send());
    app.patch('/v1/invoices/:id', async (_req, reply) => reply.code(500).send());
    app.get('/v1/invoices/:id', async (_req, reply) => reply.send({}));
    app.post('/records', async (_req, reply) => {
      logger.record({ type: 'record.created', category: 'DATA_MODIFY', action: 'create', target: { type: 'record' } });
      return reply.code(201).send();
    });
    app.post('/quiet', async (_req, reply) => {
      skipAudit();
      return reply.send();
    });
    app.post('/login', async (_req, reply) => {
      recordMfa(logger, { method: 'totp', success: false });
      recordSso(logger, { provider: 'okta', success: true });
      return reply.send();
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await exerciseMutations(url);
      await new Promise((r) => setTimeout(r, 50));
      await checkMutations(records);
    } finally {
      await app.close();
    }
  });
});
