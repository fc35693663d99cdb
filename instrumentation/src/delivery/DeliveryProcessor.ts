import { diag, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult, type InstrumentationScope } from '@opentelemetry/core';
import { defaultResource, type Resource } from '@opentelemetry/resources';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
  ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import type { AuditStage } from '../processors/AuditStageProcessor';
import type { HashChainProcessor } from '../processors/HashChainProcessor';
import { ATTR, AUDIT_SCOPE_NAME, AUDIT_SCOPE_VERSION } from '../schema';
import { Acknowledgements } from './Acknowledgements';
import type { AuditLogRecord } from './AuditLogRecord';
import { BatchQueue } from './BatchQueue';
import { DiskSpool } from './DiskSpool';
import { describeResult, exportAttempt, isPermanent } from './exportAttempt';
import { prepareRecord } from './prepareRecord';
import { keepAlive, onProcessExit, sleep } from './processLifetime';
import { replaySpool } from './spoolReplay';
import type { DeliveryProcessorOptions, DeliveryStats } from './options';

export type { DeliveryProcessorOptions, DeliveryStats } from './options';

/** A batch being exported; `abandoned` once it has been moved to the spool meanwhile. */
interface InFlight {
  batch: AuditLogRecord[];
  abandoned: boolean;
}

/**
 * The last processor of an Attest pipeline: batches records to the exporter and never drops one.
 * Bounded memory (maxQueueSize); one export at a time so order is kept; retries within a budget;
 * then an append-only disk spool replayed in order once the receiver answers again. Acknowledgements
 * resolve `waitFor(id)` promises (recordAndConfirm).
 */
export class DeliveryProcessor implements LogRecordProcessor {
  private readonly _exporter: LogRecordExporter;
  private readonly _stages: readonly AuditStage[];
  private readonly _chain?: HashChainProcessor;
  private readonly _maxQueueSize: number;
  private readonly _maxBatch: number;
  private readonly _replayBatch: number;
  private readonly _delayMillis: number;
  private readonly _exportTimeoutMillis: number;
  private readonly _retryBudgetMillis: number;
  private readonly _retryInitialMillis: number;
  private readonly _retryMaxMillis: number;
  private readonly _probeMillis: number;
  private readonly _shutdownTimeoutMillis: number;
  private readonly _spool: DiskSpool | null;
  private _resource?: Resource;
  private _scope: InstrumentationScope = { name: AUDIT_SCOPE_NAME, version: AUDIT_SCOPE_VERSION };

  /** SDK records (snapshotted into AuditLogRecords when their batch is formed) or records put back. */
  private readonly _queue = new BatchQueue();
  /** Chain seq of each queued record, taken in onEmit (record() order) and written when it is sealed. */
  private _inFlight: InFlight | null = null;
  private _running = false;
  private _timer: NodeJS.Timeout | null = null;
  private _timerImmediate = false;
  private _spooling = false;
  private _replaying = false;
  private _probeTimer: NodeJS.Timeout | null = null;
  private _shutdown = false;
  private _shutdownPromise: Promise<void> | null = null;
  private _idleWaiters: Array<() => void> = [];
  private _capacityWaiters: Array<() => void> = [];
  private readonly _acks = new Acknowledgements();
  private _removeExitHook: (() => void) | null = null;
  private _warnedOverflow = false;
  /** The last spool write failed (disk full, read-only…): fall back to backpressure until one succeeds. */
  private _spoolBroken = false;
  private readonly _stats = { recorded: 0, exported: 0, spooled: 0, replayed: 0, failed: 0, retries: 0 };

  constructor(options: DeliveryProcessorOptions) {
    this._exporter = options.exporter;
    this._stages = options.stages ?? [];
    this._chain = options.chain;
    this._maxQueueSize = Math.max(1, options.maxQueueSize ?? 8192);
    let maxBatch = options.maxExportBatchSize ?? 512;
    if (maxBatch > this._maxQueueSize) {
      diag.warn('DeliveryProcessor: maxExportBatchSize > maxQueueSize; clamped');
      maxBatch = this._maxQueueSize;
    }
    this._maxBatch = Math.max(1, maxBatch);
    this._replayBatch = Math.max(1, options.replayBatchSize ?? this._maxBatch * 4);
    this._delayMillis = options.scheduledDelayMillis ?? 200;
    this._exportTimeoutMillis = options.exportTimeoutMillis ?? 15000;
    this._retryBudgetMillis = options.retryBudgetMillis ?? 30000;
    this._retryInitialMillis = options.retryInitialDelayMillis ?? 250;
    this._retryMaxMillis = options.retryMaxDelayMillis ?? 5000;
    this._probeMillis = options.spoolProbeMillis ?? 1000;
    this._shutdownTimeoutMillis = options.shutdownTimeoutMillis ?? 5000;
    this._resource = options.resource;
    this._spool = options.spoolDir
      ? new DiskSpool({
          dir: options.spoolDir,
          segmentBytes: options.spoolSegmentBytes,
          onWriteError: (records) => this._spoolFailed(records),
        })
      : null;
    if (this._spool && this._spool.segments().length > 0) {
      // Left over from an earlier run: replay before anything new.
      this._spooling = true;
      this._scheduleProbe(0);
    }
    if (this._spool) {
      this._removeExitHook = onProcessExit(this._onExit);
    }
  }

  // ---- state for the logger -------------------------------------------------------------------

  get queued(): number {
    return this._queue.length;
  }

  /** True when one more record can be accepted without exceeding the memory bound. */
  hasCapacity(): boolean {
    return (this._spool !== null && !this._spoolBroken) || this.queued < this._maxQueueSize;
  }

  /** Resolves once the queue has room again (backpressure for callers without a spool). */
  waitForCapacity(): Promise<void> {
    if (this.hasCapacity() || this._shutdown) {
      return Promise.resolve();
    }
    return keepAlive(new Promise((resolve) => this._capacityWaiters.push(resolve)));
  }

  stats(): DeliveryStats {
    return {
      ...this._stats,
      queued: this.queued + (this._inFlight && !this._inFlight.abandoned ? this._inFlight.batch.length : 0),
      spoolPending: this._spool?.pendingRecords ?? 0,
      spooling: this._spooling,
    };
  }

  /**
   * Resolves when the record with this audit.id has been acknowledged by the receiver; rejects with
   * AuditDeliveryError after `timeoutMillis` (the record stays queued or spooled) or at shutdown.
   * Register before the record is emitted.
   */
  waitFor(auditId: string, timeoutMillis?: number): Promise<void> {
    return this._acks.waitFor(auditId, timeoutMillis);
  }

  /** Cancels a waiter registered for a record that was then not emitted. */
  cancelWait(auditId: string): void {
    this._acks.cancel(auditId);
  }

  /** Starts an export now instead of after scheduledDelayMillis. */
  expedite(): void {
    if (!this._spooling) {
      this._kick(0);
    }
  }

  // ---- LogRecordProcessor ---------------------------------------------------------------------

  onEmit(logRecord: ReadWriteLogRecord, _context?: Context): void {
    if (this._shutdown) {
      diag.error('DeliveryProcessor: record emitted after shutdown; not delivered', logRecord.attributes[ATTR.id]);
      this._stats.failed++;
      return;
    }
    // The snapshot is taken when the batch is formed: onEmit only assigns the chain position and queues.
    const rec = logRecord;
    if (this._resource === undefined) {
      this._resource = rec.resource;
      this._scope = rec.instrumentationScope;
    }
    const seq = this._chain ? this._chain.nextSeq() : 0;
    this._stats.recorded++;
    if (this._spooling) {
      this._spillOne(rec, seq);
      return;
    }
    if (this.queued >= this._maxQueueSize) {
      if (this._spool && !this._spoolBroken) {
        this._enterSpoolMode('queue full');
        this._spillOne(rec, seq);
        return;
      }
      if (!this._warnedOverflow) {
        this._warnedOverflow = true;
        diag.warn('DeliveryProcessor: queue above maxQueueSize (emitted without the audit logger); kept, not dropped');
      }
    }
    this._queue.push(rec, seq);
    if (this.queued >= this._maxBatch) {
      this._kick(0);
    } else if (this._timer === null && !this._running) {
      this._kick(this._delayMillis);
    }
  }

  async forceFlush(): Promise<void> {
    if (!this._spooling && !this._running && this.queued > 0) {
      if (this._timer !== null) {
        clearTimeout(this._timer);
        this._timer = null;
        this._timerImmediate = false;
      }
      void this._drain();
    }
    await keepAlive(this._whenIdle());
    this._syncSpool();
  }

  shutdown(): Promise<void> {
    if (!this._shutdownPromise) {
      this._shutdownPromise = keepAlive(this._doShutdown());
    }
    return this._shutdownPromise;
  }

  // ---- batching and export --------------------------------------------------------------------

  private _kick(delay: number): void {
    if (this._running) {
      return;
    }
    if (this._timer !== null) {
      if (delay > 0 || this._timerImmediate) {
        return; // an export is already scheduled as early or earlier
      }
      clearTimeout(this._timer);
    }
    this._timerImmediate = delay === 0;
    this._timer = setTimeout(() => {
      this._timer = null;
      this._timerImmediate = false;
      void this._drain();
    }, delay);
    this._timer.unref();
  }

  private readonly _prepare = (r: ReadableLogRecord | AuditLogRecord, seq: number): AuditLogRecord =>
    prepareRecord(r, seq, this._stages, this._chain);

  private _takeBatch(): AuditLogRecord[] {
    const batch = this._queue.take(this._maxBatch, this._prepare);
    this._notifyCapacity();
    return batch;
  }

  private async _drain(): Promise<void> {
    if (this._running) {
      return;
    }
    this._running = true;
    try {
      while (!this._spooling && this.queued > 0) {
        const batch = this._takeBatch();
        const inFlight: InFlight = { batch, abandoned: false };
        this._inFlight = inFlight;
        await this._deliver(inFlight, this._retryBudgetMillis);
        this._inFlight = null;
      }
    } finally {
      this._running = false;
      this._inFlight = null;
      this._notifyIdle();
    }
  }

  /** Exports one batch with retries; spools it when the budget runs out. */
  private async _deliver(inFlight: InFlight, budgetMillis: number): Promise<void> {
    const started = Date.now();
    let delay = this._retryInitialMillis;
    for (;;) {
      const result = await this._exportOnce(inFlight.batch);
      if (inFlight.abandoned) {
        return; // moved to the spool meanwhile; the replay delivers (and acknowledges) it
      }
      if (result.code === ExportResultCode.SUCCESS) {
        this._stats.exported += inFlight.batch.length;
        this._acks.acknowledged(inFlight.batch);
        return;
      }
      if (isPermanent(result)) {
        this._reject(inFlight.batch, result);
        return;
      }
      this._stats.retries++;
      if (Date.now() - started + delay > budgetMillis || this._shutdownNow) {
        if (this._spool) {
          this._enterSpoolMode(`export failing for ${Date.now() - started} ms: ${describeResult(result)}`);
          return;
        }
        if (this._shutdownNow) {
          return;
        }
        diag.error(
          `DeliveryProcessor: export failing for ${Date.now() - started} ms (no spool configured); still retrying: ${describeResult(result)}`
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, this._retryMaxMillis);
    }
  }

  private _shutdownNow = false;

  private _exportOnce(batch: AuditLogRecord[]): Promise<ExportResult> {
    return exportAttempt(this._exporter, batch, this._exportTimeoutMillis);
  }

  private _reject(batch: readonly AuditLogRecord[], result: ExportResult): void {
    this._stats.failed += batch.length;
    const reason = describeResult(result);
    diag.error(`DeliveryProcessor: receiver rejected ${batch.length} record(s) permanently: ${reason}`);
    if (this._spool) {
      try {
        this._spool.writeRejected(batch, reason);
      } catch (e) {
        diag.error('DeliveryProcessor: could not keep rejected records', e);
      }
    }
    this._acks.rejected(batch, reason);
  }

  // ---- spool ----------------------------------------------------------------------------------

  /** Moves the in-flight batch and the whole queue to the spool, in order; later records follow them. */
  private _enterSpoolMode(reason: string): void {
    const spool = this._spool;
    if (!spool) {
      return;
    }
    if (!this._spooling) {
      diag.warn(`DeliveryProcessor: spooling to ${spool.dir} (${reason})`);
    }
    this._spooling = true;
    const moved: AuditLogRecord[] = [];
    if (this._inFlight && !this._inFlight.abandoned) {
      this._inFlight.abandoned = true;
      moved.push(...this._inFlight.batch);
    }
    moved.push(...this._queue.takeAll(this._prepare));
    if (moved.length > 0) {
      this._spillMany(moved, true);
    }
    this._notifyCapacity();
    this._scheduleProbe(this._probeMillis);
  }

  private _spillOne(rec: ReadableLogRecord, seq: number): void {
    this._spillMany([this._prepare(rec, seq)], false);
  }

  private _spillMany(recs: AuditLogRecord[], sync: boolean): void {
    this._stats.spooled += recs.length;
    try {
      (this._spool as DiskSpool).append(recs, sync);
      this._spoolBroken = false;
    } catch {
      // DiskSpool handed the records back through onWriteError (→ _spoolFailed).
    }
  }

  /**
   * The disk failed: keep the records in memory rather than lose them, say so, and apply
   * backpressure (record() throws AuditBackpressureError while the queue is full) until a spool
   * write succeeds again.
   */
  private _spoolFailed(records: AuditLogRecord[]): void {
    const counted = Math.min(records.length, this._stats.spooled);
    this._stats.spooled -= counted;
    this._spoolBroken = true;
    this._spooling = false;
    for (const r of records) {
      this._queue.push(r, 0);
    }
    setImmediate(() => this._kick(0));
  }

  private _syncSpool(): void {
    try {
      this._spool?.flushBuffer(true);
    } catch (e) {
      diag.error('DeliveryProcessor: spool sync failed', e);
    }
  }

  private _scheduleProbe(delay: number): void {
    if (this._probeTimer !== null || this._shutdown) {
      return;
    }
    this._probeTimer = setTimeout(() => {
      this._probeTimer = null;
      void this._replay();
    }, delay);
    this._probeTimer.unref();
  }

  /** Replays the spool oldest segment first; returns to in-memory delivery once it is empty. */
  private async _replay(): Promise<void> {
    const spool = this._spool;
    if (!spool || this._replaying || this._shutdown) {
      return;
    }
    this._replaying = true;
    try {
      const empty = await replaySpool({
        spool,
        resource: this._resource ?? defaultResource(),
        scope: this._scope,
        batchSize: this._replayBatch,
        exportBatch: (batch) => this._exportOnce(batch),
        delivered: (batch) => {
          this._stats.exported += batch.length;
          this._stats.replayed += batch.length;
          this._acks.acknowledged(batch);
        },
        rejected: (batch, result) => this._reject(batch, result),
        retried: () => this._stats.retries++,
        corrupt: (n) => (this._stats.failed += n),
        exporting: () => this._running,
        stopping: () => this._shutdown,
      });
      if (empty) {
        this._spooling = false;
        diag.info('DeliveryProcessor: spool replayed; back to in-memory delivery');
      }
    } catch (e) {
      diag.error('DeliveryProcessor: spool replay failed', e);
    } finally {
      this._replaying = false;
      this._notifyIdle();
    }
    if (this._spooling && !this._shutdown) {
      this._scheduleProbe(this._probeMillis);
    } else if (!this._spooling && this.queued > 0) {
      this._kick(0);
    }
  }

  // ---- idle / capacity / shutdown -------------------------------------------------------------

  private _isIdle(): boolean {
    return !this._running && !this._replaying && (this._spooling || this.queued === 0);
  }

  private _whenIdle(): Promise<void> {
    if (this._isIdle()) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  private _notifyIdle(): void {
    if (!this._isIdle()) {
      if (!this._running && !this._spooling && this.queued > 0) {
        this._kick(0);
      }
      return;
    }
    const ws = this._idleWaiters;
    this._idleWaiters = [];
    ws.forEach((w) => w());
  }

  private _notifyCapacity(): void {
    if (this._capacityWaiters.length > 0 && this.hasCapacity()) {
      const ws = this._capacityWaiters;
      this._capacityWaiters = [];
      ws.forEach((w) => w());
    }
  }

  /**
   * The process is exiting without shutdown() (process.exit, an uncaught exception): only
   * synchronous work is possible, so everything not yet acknowledged goes to the spool now, in order.
   * A batch whose export is in flight is spooled too (it may then arrive twice).
   */
  private readonly _onExit = (): void => {
    if (this._shutdown || !this._spool) {
      return;
    }
    this._shutdown = true;
    try {
      this._enterSpoolMode('process exit');
      this._spool.close();
    } catch (e) {
      diag.error('DeliveryProcessor: could not spool at process exit', e);
    }
  };

  private async _doShutdown(): Promise<void> {
    this._removeExitHook?.();
    // Last chance to export in memory, within shutdownTimeoutMillis; what is left is spooled.
    const deadline = sleep(this._shutdownTimeoutMillis).then(() => 'timeout' as const);
    if (!this._spooling) {
      this._kick(0);
    }
    const outcome = await Promise.race([this._whenIdle().then(() => 'idle' as const), deadline]);
    this._shutdown = true;
    this._shutdownNow = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
      this._timerImmediate = false;
    }
    if (this._probeTimer !== null) {
      clearTimeout(this._probeTimer);
      this._probeTimer = null;
    }
    if (outcome === 'timeout' || this.queued > 0 || this._inFlight) {
      if (this._spool) {
        this._enterSpoolMode('shutdown');
      } else {
        const lost = this.queued + (this._inFlight && !this._inFlight.abandoned ? this._inFlight.batch.length : 0);
        if (lost > 0) {
          this._stats.failed += lost;
          diag.error(`DeliveryProcessor: shutdown with ${lost} undelivered record(s) and no spool configured`);
        }
      }
    }
    this._syncSpool();
    this._spool?.close();
    this._acks.rejectAll(
      'shut down before the receiver acknowledged the event (it is spooled if a spool is configured)'
    );
    this._capacityWaiters.forEach((w) => w());
    this._capacityWaiters = [];
    try {
      await this._exporter.shutdown();
    } catch (e) {
      diag.error('DeliveryProcessor: exporter shutdown failed', e);
    }
  }
}
