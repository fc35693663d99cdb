import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AuditLogRecord } from './AuditLogRecord';

type Queued = ReadableLogRecord | AuditLogRecord;

/** Records waiting for export, in emit order, each with its chain position (0: none). */
export class BatchQueue {
  private _records: Queued[] = [];
  private _seqs: number[] = [];
  private _head = 0;

  get length(): number {
    return this._records.length - this._head;
  }

  push(record: Queued, seq: number): void {
    this._records.push(record);
    this._seqs.push(seq);
  }

  /** Removes up to `max` records from the front, prepared for export by `prepare`. */
  take(max: number, prepare: (r: Queued, seq: number) => AuditLogRecord): AuditLogRecord[] {
    const end = Math.min(this._records.length, this._head + max);
    const batch: AuditLogRecord[] = new Array(end - this._head);
    for (let i = this._head; i < end; i++) {
      batch[i - this._head] = prepare(this._records[i], this._seqs[i]);
    }
    this._head = end;
    if (this._head > 4096 && this._head * 2 > this._records.length) {
      this._records = this._records.slice(this._head);
      this._seqs = this._seqs.slice(this._head);
      this._head = 0;
    }
    return batch;
  }

  /** Removes every record, prepared, in order. */
  takeAll(prepare: (r: Queued, seq: number) => AuditLogRecord): AuditLogRecord[] {
    const all = this.take(this.length, prepare);
    this._records = [];
    this._seqs = [];
    this._head = 0;
    return all;
  }
}
