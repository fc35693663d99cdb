import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { AuditValidationError } from '../src/AuditValidationError';
import { runWithAuditContext } from '../src/context';
import { createMultiTenantAuditLogger } from '../src/MultiTenantAuditLogger';
import { actor, baseEvent, ControlledExporter, tmpDir, waitUntil } from './helpers';

function setup(extra: Record<string, unknown> = {}) {
  const exporters = new Map<string, ControlledExporter>();
  const logger = createMultiTenantAuditLogger({
    serviceName: 'svc',
    exporterFactory: (tenant) => {
      const e = exporters.get(tenant) ?? new ControlledExporter();
      exporters.set(tenant, e);
      return e;
    },
    delivery: { scheduledDelayMillis: 5, retryInitialDelayMillis: 5, spoolProbeMillis: 20 },
    ...extra,
  });
  return { logger, exporters };
}

describe('MultiTenantAuditLogger', () => {
  describe('record', () => {
    it('should route each event to its tenant pipeline, with one chain per tenant', async () => {
      const { logger, exporters } = setup();
      const ids: Record<string, string[]> = { acme: [], globex: [] };
      for (let i = 0; i < 10; i++) {
        const tenant = i % 2 === 0 ? 'acme' : 'globex';
        await runWithAuditContext({ tenant, actor }, async () => {
          await new Promise((r) => setImmediate(r));
          ids[tenant].push(logger.record(baseEvent));
        });
      }
      await logger.flush();
      for (const tenant of ['acme', 'globex']) {
        const recs = (exporters.get(tenant) as ControlledExporter).records;
        assert.deepEqual(
          recs.map((r) => r.attributes['audit.id']),
          ids[tenant]
        );
        assert.deepEqual(
          recs.map((r) => r.attributes['audit.chain.seq']),
          [1, 2, 3, 4, 5]
        );
      }
      assert.notEqual(
        exporters.get('acme')?.records[0].attributes['audit.chain.id'],
        exporters.get('globex')?.records[0].attributes['audit.chain.id']
      );
      assert.deepEqual(logger.tenants.sort(), ['acme', 'globex']);
      assert.equal(logger.stats().acme.exported, 5);
      await logger.shutdown();
    });

    it('should refuse events without a tenant or with an unusable tenant id', async () => {
      const { logger } = setup();
      assert.throws(() => logger.record(baseEvent), AuditValidationError);
      for (const bad of ['../etc', '.hidden', 'a/b', '', 'x'.repeat(200)]) {
        assert.throws(() => logger.record({ ...baseEvent, context: { tenant: bad } }), AuditValidationError, bad);
      }
      await assert.rejects(logger.recordAndConfirm(baseEvent), AuditValidationError);
      await logger.shutdown();
    });

    it('should use defaultTenant outside a request context', async () => {
      const { logger, exporters } = setup({ defaultTenant: 'ops' });
      logger.record(baseEvent);
      await logger.flush();
      assert.equal(exporters.get('ops')?.records.length, 1);
      await logger.shutdown();
    });

    it('should publish counters summed over tenants as OTel metrics', async () => {
      class TestReader extends MetricReader {
        protected onForceFlush(): Promise<void> {
          return Promise.resolve();
        }
        protected onShutdown(): Promise<void> {
          return Promise.resolve();
        }
      }
      const reader = new TestReader();
      const { logger } = setup({ meterProvider: new MeterProvider({ readers: [reader] }) });
      logger.record({ ...baseEvent, context: { tenant: 'a' } });
      logger.record({ ...baseEvent, context: { tenant: 'b' } });
      logger.record({ ...baseEvent, context: { tenant: 'b' } });
      await logger.flush();
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics);
      const value = (n: string) => metrics.find((m) => m.descriptor.name === n)?.dataPoints[0]?.value;
      assert.equal(value('attest.audit.events.recorded'), 3);
      assert.equal(value('attest.audit.events.exported'), 3);
      assert.equal(logger.totals().exported, 3);
      await logger.shutdown();
    });

    it('should replay per-tenant spools left by an earlier process', async () => {
      const root = tmpDir();
      const first = setup({ spoolRoot: root, delivery: { shutdownTimeoutMillis: 50 } });
      const acme = first.logger.forTenant('acme');
      (first.exporters.get('acme') as ControlledExporter).down = true;
      const id = acme.record(baseEvent);
      await first.logger.shutdown();
      assert.ok(fs.readdirSync(path.join(root, 'acme')).some((f) => f.startsWith('seg-')));
      const second = setup({ spoolRoot: root });
      await waitUntil(() => (second.exporters.get('acme')?.records.length ?? 0) === 1);
      assert.equal(second.exporters.get('acme')?.records[0].attributes['audit.id'], id);
      await second.logger.shutdown();
    });
  });
});
