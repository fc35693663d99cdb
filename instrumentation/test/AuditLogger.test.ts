import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { validate as uuidValidate, version as uuidVersion } from 'uuid';
import { createAuditLogger } from '../src/AuditLogger';
import { runWithAuditContext, setAuditActor } from '../src/context';
import { AuditStateError, AuditValidationError } from '../src/errors';
import { actor, baseEvent } from './helpers';

/** Minimal synchronous context manager so the test can make a span context active. */
class StackContextManager implements ContextManager {
  private _stack: Context[] = [];
  active(): Context {
    return this._stack[this._stack.length - 1] ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this._stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this._stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this._stack = [];
    return this;
  }
}

function setup(options: Partial<Parameters<typeof createAuditLogger>[0]> = {}) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = createAuditLogger({ loggerProvider: provider, ...options });
  const records = async () => {
    await provider.forceFlush();
    return exporter.getFinishedLogRecords();
  };
  return { exporter, provider, logger, records };
}

const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AuditValidationError, `expected AuditValidationError, got ${e}`);
    return e.issues.map((i) => i.field);
  }
  assert.fail('expected AuditValidationError');
};

describe('AuditLogger', () => {
  describe('record', () => {
    it('should emit one LogRecord in the wire format with defaults', async () => {
      const { logger, records } = setup();
      const id = logger.record({
        ...baseEvent,
        target: { type: 'hardware', id: '142', name: 'Hardware #142' },
        description: 'Hardware #142 updated',
        changes: { before: { status: 'idle' }, after: { status: 'busy' } },
        metadata: { ticket: 'OPS-7' },
      });
      const [r] = await records();
      assert.ok(uuidValidate(id) && uuidVersion(id) === 7);
      assert.equal(r.body, 'Hardware #142 updated');
      assert.equal(r.severityNumber, 9);
      assert.equal(r.severityText, 'INFO');
      assert.equal(r.eventName, 'user.updated');
      assert.deepEqual(r.attributes, {
        'audit.id': id,
        'audit.event': 'user.updated',
        'audit.category': 'USER_MGMT',
        'audit.action': 'update',
        'audit.outcome': 'success',
        'user.id': 'u-1',
        'user.email': 'ada@example.com',
        'user.name': 'Ada',
        'audit.actor.type': 'user',
        'user.roles': 'admin',
        'audit.target.type': 'hardware',
        'audit.target.id': '142',
        'audit.target.name': 'Hardware #142',
        'audit.changes': '{"before":{"status":"idle"},"after":{"status":"busy"}}',
        'audit.metadata': '{"ticket":"OPS-7"}',
      });
      assert.ok(Math.abs(r.hrTime[0] * 1000 - Date.now()) < 5000);
    });

    it('should map severities to 9/13/17/21 with exact texts', async () => {
      const { logger, records } = setup();
      for (const severity of ['INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const) {
        logger.record({ ...baseEvent, severity });
      }
      assert.deepEqual(
        (await records()).map((r) => [r.severityNumber, r.severityText]),
        [
          [9, 'INFO'],
          [13, 'WARNING'],
          [17, 'ERROR'],
          [21, 'CRITICAL'],
        ]
      );
    });

    it('should reject missing required fields and bad enums with a typed error listing them all', () => {
      const { logger } = setup();
      const fields = issuesOf(() =>
        logger.record({ type: 'Bad Type', category: 'NOPE', action: '', outcome: 'maybe', severity: 'LOUD' } as never)
      );
      assert.deepEqual(fields.sort(), ['action', 'actor', 'category', 'outcome', 'severity', 'type']);
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, actor: { id: '' } })),
        ['actor.id']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, actor: { ...actor, type: 'robot' as never } })),
        ['actor.type']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, actor: { ...actor, roles: ['a,b'] } })),
        ['actor.roles']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, target: { id: '1' } as never })),
        ['target.type']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, id: 'not-a-uuid' })),
        ['id']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, timestamp: NaN })),
        ['timestamp']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, classification: ['secretish' as never] })),
        ['classification']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, metadata: [] as never })),
        ['metadata']
      );
      assert.deepEqual(
        issuesOf(() => logger.record(null as never)),
        ['(event)']
      );
    });

    it('should enforce Loki size limits in record() itself', async () => {
      const { logger, records } = setup();
      const tenMb = 'x'.repeat(10 * 1024 * 1024);
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, description: tenMb })),
        ['description']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, metadata: { blob: tenMb } })),
        ['metadata']
      );
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, actor: { ...actor, name: 'n'.repeat(2000) } })),
        ['actor.name']
      );
      // Each field within limits, the sum over Loki's 64 KiB of structured metadata.
      const half = 'é'.repeat(15 * 1024);
      assert.deepEqual(
        issuesOf(() => logger.record({ ...baseEvent, metadata: { a: half }, changes: { after: { b: half } } })),
        ['(event)']
      );
      assert.equal((await records()).length, 0, 'nothing recorded for invalid events');
    });

    it('should serialise hostile payloads safely', async () => {
      const { logger, records } = setup();
      const circular: Record<string, unknown> = { name: 'c' };
      circular.me = circular;
      let deep: Record<string, unknown> = {};
      const root = deep;
      for (let i = 0; i < 1000; i++) {
        deep = (deep.d = {}) as Record<string, unknown>;
      }
      logger.record({
        ...baseEvent,
        description: 'lone \ud800 surrogate',
        metadata: {
          circular,
          deep: root,
          big: 2n ** 70n,
          when: new Date('2026-01-01T00:00:00Z'),
          buf: Buffer.alloc(3),
          map: new Map([['k', 1]]),
          ...JSON.parse('{"__proto__":{"isAdmin":true},"constructor":"c"}'),
        },
      });
      const [r] = await records();
      assert.equal(r.body, 'lone \ufffd surrogate');
      const meta = JSON.parse(r.attributes['audit.metadata'] as string);
      assert.equal(meta.circular.me, '[circular]');
      assert.equal(meta.big, '1180591620717411303424');
      assert.equal(meta.when, '2026-01-01T00:00:00.000Z');
      assert.equal(meta.buf, '[binary 3 bytes]');
      assert.deepEqual(meta.map, { k: 1 });
      assert.ok(JSON.stringify(meta.deep).includes('[truncated]'));
      assert.equal(meta.constructor, 'c');
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    });

    it('should take actor and request fields from the async request context', async () => {
      const { logger, records } = setup();
      await runWithAuditContext(
        { clientAddress: '203.0.113.9', userAgent: 'curl/8', requestId: 'req-1', sessionId: 's-1', tenant: 't1' },
        async () => {
          await new Promise((r) => setTimeout(r, 5));
          setAuditActor({ id: 'u-9', roles: ['ops', 'dev'], type: 'service' });
          logger.record({ type: 'config.changed', category: 'INFRASTRUCTURE', action: 'update' });
        }
      );
      const [r] = await records();
      assert.equal(r.attributes['user.id'], 'u-9');
      assert.equal(r.attributes['user.roles'], 'ops,dev');
      assert.equal(r.attributes['audit.actor.type'], 'service');
      assert.equal(r.attributes['client.address'], '203.0.113.9');
      assert.equal(r.attributes['user_agent.original'], 'curl/8');
      assert.equal(r.attributes['audit.request.id'], 'req-1');
      assert.equal(r.attributes['session.id'], 's-1');
    });

    it('should refuse an event of another tenant', () => {
      const { logger } = setup({ tenant: 'acme' });
      assert.deepEqual(
        issuesOf(() => runWithAuditContext({ tenant: 'globex', actor }, () => logger.record(baseEvent))),
        ['context.tenant']
      );
    });

    it('should carry trace_id/span_id of the active OTel context', async () => {
      const cm = new StackContextManager();
      context.setGlobalContextManager(cm);
      try {
        const { logger, records } = setup();
        const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
        context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => logger.record(baseEvent));
        const [r] = await records();
        assert.equal(r.spanContext?.traceId, spanContext.traceId);
        assert.equal(r.spanContext?.spanId, spanContext.spanId);
      } finally {
        context.disable();
      }
    });

    it('should throw AuditStateError after shutdown', async () => {
      const { logger } = setup();
      await logger.shutdown();
      assert.throws(() => logger.record(baseEvent), AuditStateError);
    });
  });

  describe('helpers', () => {
    it('should build typed events', async () => {
      const { logger, records } = setup();
      logger.loginSucceeded({ actor });
      logger.loginFailed({ actor: { id: 'mallory' } });
      logger.logout({ actor });
      logger.created({ type: 'Hardware Item', id: '1' }, { actor });
      logger.updated(
        { type: 'invoice', id: '2' },
        { actor, category: 'SUBSCRIPTION', changes: { before: { a: 1 }, after: { a: 2 } } }
      );
      logger.deleted({ type: 'invoice', id: '2' }, { actor });
      logger.piiRead({ type: 'customer', id: '7' }, { actor });
      logger.accessDenied({ actor, target: { type: 'report', id: 'r' } });
      const got = (await records()).map((r) => [
        r.attributes['audit.event'],
        r.attributes['audit.category'],
        r.attributes['audit.action'],
        r.attributes['audit.outcome'],
        r.severityText,
      ]);
      assert.deepEqual(got, [
        ['auth.login.succeeded', 'AUTH', 'login', 'success', 'INFO'],
        ['auth.login.failed', 'AUTH', 'login', 'failure', 'WARNING'],
        ['auth.logout', 'AUTH', 'logout', 'success', 'INFO'],
        ['hardware_item.created', 'DATA_MODIFY', 'create', 'success', 'INFO'],
        ['invoice.updated', 'SUBSCRIPTION', 'update', 'success', 'INFO'],
        ['invoice.deleted', 'DATA_MODIFY', 'delete', 'success', 'INFO'],
        ['pii.read.customer', 'DATA_ACCESS', 'read', 'success', 'INFO'],
        ['access.denied', 'SECURITY', 'access', 'denied', 'WARNING'],
      ]);
    });
  });
});
