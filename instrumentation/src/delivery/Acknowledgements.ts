import { AuditDeliveryError } from '../errors';
import { ATTR } from '../schema';
import type { AuditLogRecord } from './AuditLogRecord';
import { keepAlive } from './processLifetime';

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

/** Callers waiting for the receiver to acknowledge one record each (recordAndConfirm). */
export class Acknowledgements {
  private readonly _waiters = new Map<string, Waiter>();

  /**
   * Resolves when the record with this audit.id has been acknowledged; rejects with AuditDeliveryError
   * after `timeoutMillis` (the record stays queued or spooled). Register before the record is emitted.
   */
  waitFor(auditId: string, timeoutMillis?: number): Promise<void> {
    return keepAlive(
      new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject };
        if (timeoutMillis !== undefined && timeoutMillis > 0) {
          w.timer = setTimeout(() => {
            this._waiters.delete(auditId);
            reject(new AuditDeliveryError(`no acknowledgement for ${auditId} within ${timeoutMillis} ms`, auditId));
          }, timeoutMillis);
          w.timer.unref();
        }
        this._waiters.set(auditId, w);
      })
    );
  }

  /** Settles (rejects) the wait for a record that was then not emitted, so nothing keeps the process alive. */
  cancel(auditId: string): void {
    this._take(auditId)?.reject(new AuditDeliveryError('the event was not recorded', auditId));
  }

  /** The receiver took these records. */
  acknowledged(batch: readonly AuditLogRecord[]): void {
    if (this._waiters.size === 0) {
      return;
    }
    for (const r of batch) {
      this._take(r.attributes[ATTR.id])?.resolve();
    }
  }

  /** The receiver refused these records for good. */
  rejected(batch: readonly AuditLogRecord[], reason: string): void {
    for (const r of batch) {
      const id = r.attributes[ATTR.id];
      this._take(id)?.reject(new AuditDeliveryError(`rejected by the receiver: ${reason}`, id as string));
    }
  }

  /** Shutdown: nobody will be acknowledged any more. */
  rejectAll(message: string): void {
    for (const id of [...this._waiters.keys()]) {
      this._take(id)?.reject(new AuditDeliveryError(message, id));
    }
  }

  private _take(id: unknown): Waiter | undefined {
    if (typeof id !== 'string') {
      return undefined;
    }
    const w = this._waiters.get(id);
    if (w) {
      this._waiters.delete(id);
      if (w.timer) {
        clearTimeout(w.timer);
      }
    }
    return w;
  }
}
