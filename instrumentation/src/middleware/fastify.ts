import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditContextStorage } from '../context';
import type { AuditRequestContext } from '../types';
import {
  buildContext,
  compileRoutes,
  recordMutationEvent,
  recordResponseEvents,
  type AuditHttpOptions,
} from './common';

const CTX = Symbol('attest.auditContext');
type WithCtx = FastifyRequest & { [CTX]?: AuditRequestContext };

/**
 * Fastify plugin (register with `app.register(auditFastify, options)`): same behaviour as auditExpress.
 * Applies to the whole instance (not encapsulated).
 */
export function auditFastify(fastify: FastifyInstance, options: AuditHttpOptions, done: (err?: Error) => void): void {
  const auth = compileRoutes(options.authRoutes, 'POST');
  const pii = compileRoutes(options.piiRoutes, 'GET');
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, next: (err?: Error) => void) => {
    const ctx = buildContext(req, req.headers as Record<string, unknown>, req.ip, options);
    (req as WithCtx)[CTX] = ctx;
    if (ctx.requestId) {
      reply.header('x-request-id', ctx.requestId);
    }
    // The rest of the request lifecycle runs inside the context.
    auditContextStorage.run(ctx, () => next());
  });
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, next: (err?: Error) => void) => {
    const ctx = (req as WithCtx)[CTX];
    if (ctx) {
      const path = req.url.split('?')[0];
      recordResponseEvents(options, auth, pii, req, ctx, req.method, path, reply.statusCode);
      const route = (req as FastifyRequest & { routeOptions?: { url?: string } }).routeOptions?.url;
      recordMutationEvent(
        options,
        auth,
        req,
        ctx,
        req.method,
        path,
        route,
        req.params as Record<string, string>,
        reply.statusCode
      );
    }
    next();
  });
  done();
}
// Like fastify-plugin: hooks apply to the parent instance, not an encapsulated child.
(auditFastify as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
