import { ExportResultCode, type ExportResult, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { AuditLogRecord } from './AuditLogRecord';
import type { DiskSpool } from './DiskSpool';
import { isPermanent } from './exportAttempt';
import { sleep } from './processLifetime';

export interface SpoolReplayPort {
  spool: DiskSpool;
  resource: Resource;
  scope: InstrumentationScope;
  batchSize: number;
  exportBatch(batch: AuditLogRecord[]): Promise<ExportResult>;
  delivered(batch: AuditLogRecord[]): void;
  rejected(batch: AuditLogRecord[], result: ExportResult): void;
  retried(): void;
  corrupt(count: number): void;
  /** An in-memory export is still running (its batch is already in the spool). */
  exporting(): boolean;
  stopping(): boolean;
}

/**
 * Replays the spool oldest segment first, a batch at a time, removing what the receiver took.
 * Stops at the first failure (the rest stays spooled for the next probe) or at shutdown.
 * Returns true once the spool is empty.
 */
export async function replaySpool(p: SpoolReplayPort): Promise<boolean> {
  const { spool } = p;
  for (;;) {
    while (p.exporting()) {
      await sleep(10);
    }
    spool.rotate();
    const segments = spool.segments();
    if (segments.length === 0) {
      return false;
    }
    const name = segments[0];
    const { records, corrupt } = spool.read(name, p.resource, p.scope);
    p.corrupt(corrupt);
    for (let i = 0; i < records.length; i += p.batchSize) {
      const batch = records.slice(i, i + p.batchSize);
      const result = await p.exportBatch(batch);
      if (result.code === ExportResultCode.SUCCESS) {
        p.delivered(batch);
      } else if (isPermanent(result)) {
        p.rejected(batch, result);
      } else {
        p.retried();
        // Keep what is left of this segment: rewrite it without the delivered part.
        if (i > 0) {
          spool.rewrite(name, records.slice(i));
        }
        return false;
      }
      if (p.stopping()) {
        // This batch is delivered; keep the rest of the segment for the next process.
        if (i + p.batchSize < records.length) {
          spool.rewrite(name, records.slice(i + p.batchSize));
        } else {
          spool.remove(name, records.length);
        }
        return false;
      }
    }
    spool.remove(name, records.length);
    if (spool.segments().length === 0 && spool.activeRecords === 0) {
      return true;
    }
  }
}
