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
