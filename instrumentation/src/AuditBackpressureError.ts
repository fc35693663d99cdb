/**
 * Thrown by `record()` when the in-memory queue is full and no disk spool is configured.
 * The event was not accepted; await `logger.waitForCapacity()` and record it again.
 */
export class AuditBackpressureError extends Error {
  override readonly name = 'AuditBackpressureError';
  constructor(readonly queued: number) {
    super(`audit queue is full (${queued} events waiting); await waitForCapacity() and retry`);
  }
}
