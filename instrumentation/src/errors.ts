// The package's typed errors, one class per file; this module re-exports them.
export { AuditValidationError } from './AuditValidationError';
export type { AuditValidationIssue } from './AuditValidationError';
export { AuditBackpressureError } from './AuditBackpressureError';
export { AuditDeliveryError } from './AuditDeliveryError';
export { AuditStateError } from './AuditStateError';
