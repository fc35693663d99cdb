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
