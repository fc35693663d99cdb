import { diag } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AuditStage } from '../processors/AuditStageProcessor';
import type { HashChainProcessor } from '../processors/HashChainProcessor';
import { AuditLogRecord } from './AuditLogRecord';

/**
 * Applies the stages (redaction, compliance tags, pseudonymisation) and seals the hash chain, once per
 * record, in queue order. A stage that throws is logged; the record is still delivered.
 */
export function prepareRecord(
  r: ReadableLogRecord | AuditLogRecord,
  seq: number,
  stages: readonly AuditStage[],
  chain: HashChainProcessor | undefined
): AuditLogRecord {
  if (r instanceof AuditLogRecord && r.prepared) {
    return r;
  }
  const rec = r instanceof AuditLogRecord ? r : AuditLogRecord.from(r);
  rec.prepared = true;
  if (chain && seq > 0) {
    chain.writePosition(rec, seq);
  }
  for (const s of stages) {
    try {
      s.process(rec);
    } catch (e) {
      diag.error('DeliveryProcessor: stage failed', e);
    }
  }
  if (chain) {
    try {
      chain.seal(rec);
    } catch (e) {
      // Not expected (the canonical form accepts any record); the record is still delivered.
      diag.error('DeliveryProcessor: hash chain failed for a record', e);
    }
  }
  return rec;
}
