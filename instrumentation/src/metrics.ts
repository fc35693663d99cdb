import { metrics, type Meter, type MeterProvider } from '@opentelemetry/api';
import type { AuditStats } from './AuditLogger';

/**
 * Publishes the delivery counters as OTel metrics (observable, read at collection time):
 * `attest.audit.events.recorded|exported|spooled|replayed|failed` and `attest.audit.export.retries`
 * (counters), `attest.audit.queue.size` and `attest.audit.spool.pending` (gauges).
 * Uses the global MeterProvider unless one is given.
 */
export function registerAuditMetrics(stats: () => AuditStats, meterProvider?: MeterProvider): () => void {
  const meter: Meter = (meterProvider ?? metrics).getMeter('@attest/otel-audit');
  const counters = {
    recorded: meter.createObservableCounter('attest.audit.events.recorded', {
      description: 'Audit events accepted by record()',
    }),
    exported: meter.createObservableCounter('attest.audit.events.exported', {
      description: 'Audit events acknowledged by the receiver',
    }),
    spooled: meter.createObservableCounter('attest.audit.events.spooled', {
      description: 'Audit events written to the disk spool',
    }),
    replayed: meter.createObservableCounter('attest.audit.events.replayed', {
      description: 'Spooled audit events delivered',
    }),
    failed: meter.createObservableCounter('attest.audit.events.failed', {
      description:
        'Audit events rejected for good by the receiver or unreadable in the spool (kept in rejected-*.jsonl)',
    }),
    retries: meter.createObservableCounter('attest.audit.export.retries', {
      description: 'Failed export attempts that were retried',
    }),
  };
  const queue = meter.createObservableGauge('attest.audit.queue.size', {
    description: 'Audit events waiting in memory',
  });
  const spool = meter.createObservableGauge('attest.audit.spool.pending', {
    description: 'Audit events waiting in the disk spool',
  });
  const all = [...Object.values(counters), queue, spool];
  const callback = (result: import('@opentelemetry/api').BatchObservableResult): void => {
    const s = stats();
    result.observe(counters.recorded, s.recorded);
    result.observe(counters.exported, s.exported);
    result.observe(counters.spooled, s.spooled);
    result.observe(counters.replayed, s.replayed);
    result.observe(counters.failed, s.failed);
    result.observe(counters.retries, s.retries);
    result.observe(queue, s.queued);
    result.observe(spool, s.spoolPending);
  };
  meter.addBatchObservableCallback(callback, all);
  return () => meter.removeBatchObservableCallback(callback, all);
}
