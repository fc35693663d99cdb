/** One problem found in an audit event. */
export interface AuditValidationIssue {
  /** Dotted path of the offending field, e.g. `actor.email`. */
  field: string;
  message: string;
}

/** Thrown by `record()` when the event is invalid. Nothing is queued for an invalid event. */
export class AuditValidationError extends Error {
  override readonly name = 'AuditValidationError';
  readonly issues: readonly AuditValidationIssue[];
  constructor(issues: AuditValidationIssue[]) {
    super(`invalid audit event: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

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

/** Rejection of `recordAndConfirm()` when no acknowledgement arrived in time, or after shutdown. */
export class AuditDeliveryError extends Error {
  override readonly name = 'AuditDeliveryError';
  constructor(
    message: string,
    /** The event id; the event itself is not lost (it stays queued or spooled). */
    readonly auditId?: string
  ) {
    super(message);
  }
}

/** Misuse of the API (recording after shutdown, confirm without a delivery processor). */
export class AuditStateError extends Error {
  override readonly name = 'AuditStateError';
}
