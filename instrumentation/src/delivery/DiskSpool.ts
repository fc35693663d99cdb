import { diag } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import type { LogAttributes, LogBody, SeverityNumber } from '@opentelemetry/api-logs';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import fs from 'node:fs';
import path from 'node:path';
import { AuditLogRecord } from './AuditLogRecord';

/** One spooled record, one JSON line. */
interface SpoolLine {
  t: HrTime;
  o: HrTime;
  n?: SeverityNumber;
  s?: string;
  b?: LogBody;
  e?: string;
  a: LogAttributes;
  x?: { traceId: string; spanId: string; traceFlags: number };
  c?: [string, string | undefined];
}

export interface DiskSpoolOptions {
  dir: string;
  /**
   * Called when buffered records could not be written in the background (the synchronous paths throw
   * instead). The records are handed back so the caller keeps them; they are not in the spool.
   */
  onWriteError?: (records: AuditLogRecord[], error: unknown) => void;
  /** A segment is closed and a new one started beyond this size. Default 8 MiB. */
  segmentBytes?: number;
  /** Buffered lines are written when the buffer exceeds this. Default 64 KiB. */
  writeBufferBytes?: number;
}

const SEGMENT_RE = /^seg-(\d{12})\.jsonl$/;

/**
 * Append-only spool of audit records on local disk, in segments `seg-<n>.jsonl` replayed oldest first.
 * Lines are buffered for at most one microtask (or 64 KiB) and written with write(2); fsync follows
 * every batch append, every segment close and `sync()`.
 */
export class DiskSpool {
  readonly dir: string;
  private readonly _segmentBytes: number;
  private readonly _bufferBytes: number;
  private _fd: number | null = null;
  private _activeName: string | null = null;
  private _activeBytes = 0;
  private _activeRecords = 0;
  private _nextIndex: number;
  private _buffer: string[] = [];
  private _bufferRecords: AuditLogRecord[] = [];
  private readonly _onWriteError?: (records: AuditLogRecord[], error: unknown) => void;
  private _bufferedBytes = 0;
  private _flushScheduled = false;
  private _dirty = false;
  /** Records in closed and active segments not yet removed (approximate across restarts). */
  pendingRecords = 0;

  constructor(options: DiskSpoolOptions) {
    this.dir = options.dir;
    this._segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
    this._bufferBytes = options.writeBufferBytes ?? 64 * 1024;
    this._onWriteError = options.onWriteError;
    fs.mkdirSync(this.dir, { recursive: true });
    const existing = this.segments();
    this._nextIndex = existing.length > 0 ? Number(SEGMENT_RE.exec(existing[existing.length - 1])![1]) + 1 : 1;
    for (const s of existing) {
      this.pendingRecords += countLines(path.join(this.dir, s));
    }
  }

  /** Closed segments plus the active one, oldest first. */
  segments(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => SEGMENT_RE.test(f))
      .sort();
  }

  get activeSegment(): string | null {
    return this._activeName;
  }

  get activeRecords(): number {
    return this._activeRecords + this._buffer.length;
  }

  /** Appends records (already redacted and sealed). Throws only on I/O failure. */
  append(records: readonly AuditLogRecord[], sync = false): void {
    for (const r of records) {
      const line = `${JSON.stringify(toLine(r))}\n`;
      this._buffer.push(line);
      this._bufferRecords.push(r);
      this._bufferedBytes += line.length;
    }
    this.pendingRecords += records.length;
    if (sync || this._bufferedBytes >= this._bufferBytes) {
      this.flushBuffer(sync);
    } else if (!this._flushScheduled) {
      this._flushScheduled = true;
      queueMicrotask(() => {
        this._flushScheduled = false;
        try {
          this.flushBuffer(false);
        } catch {
          // flushBuffer has handed the records back through onWriteError.
        }
      });
    }
  }

  /** Writes buffered lines; with `sync`, fsyncs the active segment. */
  flushBuffer(sync: boolean): void {
    if (this._buffer.length > 0) {
      const lines = this._buffer;
      const records = this._bufferRecords;
      this._buffer = [];
      this._bufferRecords = [];
      this._bufferedBytes = 0;
      const n = lines.length;
      const data = Buffer.from(lines.join(''), 'utf8');
      let off = 0;
      try {
        if (this._fd === null) {
          this._open();
        }
        while (off < data.length) {
          off += fs.writeSync(this._fd as number, data, off, data.length - off);
        }
      } catch (e) {
        this.pendingRecords = Math.max(0, this.pendingRecords - n);
        if (off > 0) {
          // A torn write: the partial line is skipped (and kept aside) on replay; resend all of them.
          diag.error('DiskSpool: partial write; the records are handed back and may appear twice');
        }
        diag.error(`DiskSpool: write to ${this.dir} failed; ${n} record(s) handed back`, e);
        this._onWriteError?.(records, e);
        throw e;
      }
      this._activeBytes += data.length;
      this._activeRecords += n;
      this._dirty = true;
      if (this._activeBytes >= this._segmentBytes) {
        this.rotate();
        return;
      }
    }
    if (sync && this._dirty && this._fd !== null) {
      fs.fsyncSync(this._fd);
      this._dirty = false;
    }
  }

  /** Closes the active segment (if it holds anything) so it can be replayed; new appends open another. */
  rotate(): void {
    this.flushBuffer(false);
    if (this._fd !== null) {
      if (this._dirty) {
        fs.fsyncSync(this._fd);
      }
      fs.closeSync(this._fd);
      this._fd = null;
      this._activeName = null;
      this._activeBytes = 0;
      this._activeRecords = 0;
      this._dirty = false;
    }
  }

  private _open(): void {
    const name = `seg-${String(this._nextIndex++).padStart(12, '0')}.jsonl`;
    this._fd = fs.openSync(path.join(this.dir, name), 'a', 0o600);
    this._activeName = name;
    this._activeBytes = 0;
    this._activeRecords = 0;
  }

  /** Reads a closed segment. Lines that cannot be parsed (a torn last write) are reported and counted. */
  read(name: string, resource: Resource, scope: InstrumentationScope): { records: AuditLogRecord[]; corrupt: number } {
    const text = fs.readFileSync(path.join(this.dir, name), 'utf8');
    const records: AuditLogRecord[] = [];
    const bad: string[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) {
        continue;
      }
      try {
        records.push(fromLine(JSON.parse(line) as SpoolLine, resource, scope));
      } catch {
        bad.push(line);
      }
    }
    const corrupt = bad.length;
    if (corrupt > 0) {
      // Kept for inspection (a torn write at a crash); never replayed.
      diag.error(`DiskSpool: ${corrupt} unreadable line(s) in ${name}; kept in corrupt-${name}`);
      try {
        fs.appendFileSync(path.join(this.dir, `corrupt-${name}`), `${bad.join('\n')}\n`, { mode: 0o600 });
      } catch (e) {
        diag.error('DiskSpool: could not keep unreadable lines', e);
      }
    }
    return { records, corrupt };
  }

  /** Removes a replayed segment. */
  remove(name: string, records: number): void {
    fs.rmSync(path.join(this.dir, name), { force: true });
    this.pendingRecords = Math.max(0, this.pendingRecords - records);
  }

  /** Replaces a closed segment's content by `remaining` (the part not yet delivered), atomically. */
  rewrite(name: string, remaining: readonly AuditLogRecord[]): void {
    const file = path.join(this.dir, name);
    const before = countLines(file);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, remaining.map((r) => `${JSON.stringify(toLine(r))}\n`).join(''), { mode: 0o600 });
    const fd = fs.openSync(tmp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
    this.pendingRecords = Math.max(0, this.pendingRecords - (before - remaining.length));
  }

  /** Keeps records the receiver rejected for good, for inspection and manual replay. */
  writeRejected(records: readonly AuditLogRecord[], reason: string): void {
    const file = path.join(this.dir, `rejected-${Date.now()}.jsonl`);
    const lines = records.map((r) => JSON.stringify({ reason, ...toLine(r) })).join('\n');
    fs.appendFileSync(file, `${lines}\n`, { mode: 0o600 });
  }

  close(): void {
    this.rotate();
  }
}

function toLine(r: AuditLogRecord): SpoolLine {
  const line: SpoolLine = { t: r.hrTime, o: r.hrTimeObserved, a: r.attributes };
  if (r.severityNumber !== undefined) {
    line.n = r.severityNumber;
  }
  if (r.severityText !== undefined) {
    line.s = r.severityText;
  }
  if (r.body !== undefined) {
    line.b = r.body;
  }
  if (r.eventName !== undefined) {
    line.e = r.eventName;
  }
  if (r.spanContext) {
    line.x = { traceId: r.spanContext.traceId, spanId: r.spanContext.spanId, traceFlags: r.spanContext.traceFlags };
  }
  line.c = [r.instrumentationScope.name, r.instrumentationScope.version];
  return line;
}

function fromLine(l: SpoolLine, resource: Resource, scope: InstrumentationScope): AuditLogRecord {
  const rec = new AuditLogRecord({
    hrTime: l.t,
    hrTimeObserved: l.o,
    spanContext: l.x,
    severityNumber: l.n,
    severityText: l.s,
    body: l.b,
    eventName: l.e,
    resource,
    instrumentationScope:
      l.c && l.c[0] === scope.name && l.c[1] === scope.version
        ? scope
        : { name: l.c?.[0] ?? scope.name, version: l.c?.[1] },
    attributes: l.a ?? {},
    droppedAttributesCount: 0,
  });
  rec.prepared = true;
  return rec;
}

function countLines(file: string): number {
  try {
    const buf = fs.readFileSync(file);
    let n = 0;
    for (const b of buf) {
      if (b === 10) {
        n++;
      }
    }
    return n;
  } catch {
    return 0;
  }
}
