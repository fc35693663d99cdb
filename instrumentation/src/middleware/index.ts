export { auditExpress } from './express';
export { auditFastify } from './fastify';
export type { AuditHttpOptions, AuditRecorder, AuthRoute, PiiRoute } from './common';
export { recordMfa, recordSso, setAuditChanges, skipAudit } from './mutations';
