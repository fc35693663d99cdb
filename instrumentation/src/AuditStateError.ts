/** Misuse of the API (recording after shutdown, confirm without a delivery processor). */
export class AuditStateError extends Error {
  override readonly name = 'AuditStateError';
}
