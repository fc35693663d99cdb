import { diag, type Context } from '@opentelemetry/api';
import type { AnyValue, LogAttributes, LogBody } from '@opentelemetry/api-logs';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';

/**
 * The part of a log record an audit stage reads and writes. Both the SDK's ReadWriteLogRecord
 * (inside onEmit) and the delivery processor's AuditLogRecord satisfy it.
 */
export interface MutableLogRecord {
  readonly attributes: LogAttributes;
  body?: LogBody;
}

/** A synchronous transformation of one record: the unit the delivery processor can run off the hot path. */
export interface AuditStage {
  process(record: MutableLogRecord): void;
}

/** Writes an attribute directly (works on records the SDK has already made read-only for the API). */
export function writeAttribute(record: MutableLogRecord, key: string, value: AnyValue): void {
  (record.attributes as Record<string, AnyValue>)[key] = value;
}

/**
 * Base of the Attest processors: a LogRecordProcessor whose onEmit applies `process()` to the record.
 * Usable in any LoggerProvider, before the exporting processor. Never throws into the host.
 */
export abstract class AuditStageProcessor implements LogRecordProcessor, AuditStage {
  private _isShutdown = false;

  abstract process(record: MutableLogRecord): void;

  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    if (this._isShutdown) {
      return;
    }
    try {
      this.process(record);
    } catch (e) {
      diag.error(`${this.constructor.name}: processing failed`, e);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this._isShutdown = true;
    return Promise.resolve();
  }
}
