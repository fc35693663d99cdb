import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** Accepts and counts records; the same exporter for every variant. */
export class NoopExporter implements LogRecordExporter {
  count = 0;
  export(logs: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.count += logs.length;
    cb({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** A realistic audit event (what the bench records N times). */
export function makeEvent(i: number) {
  return {
    type: 'hardware.updated',
    category: 'DATA_MODIFY' as const,
    action: 'update',
    actor: { id: 'u-42', email: 'ada@example.com', name: 'Ada Lovelace', roles: ['admin', 'auditor'] },
    target: { type: 'hardware', id: String(142 + (i % 100)), name: `Hardware #${142 + (i % 100)}` },
    description: `Hardware #${142 + (i % 100)} updated by Ada Lovelace`,
    changes: { before: { status: 'idle', location: 'rack 4' }, after: { status: 'busy', location: 'rack 5' } },
    metadata: { ticket: 'OPS-7', reason: 'maintenance window', tags: ['hw', 'ops'] },
    context: {
      clientAddress: '203.0.113.9',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      requestId: `req-${i}`,
      sessionId: 's-9',
    },
  };
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
