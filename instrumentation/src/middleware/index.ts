export { auditExpress } from './express';
export { auditFastify } from './fastify';
export type { AuditHttpOptions, AuditRecorder, AuthRoute, PiiRoute } from './common';
