export { auditExpress } from './express';
export { auditFastify } from './fastify';
export type { AuditHttpOptions, AuthRoute, PiiRoute } from './common';
