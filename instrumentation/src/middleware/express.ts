import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { auditContextStorage } from '../context';
import {
  buildContext,
  compileRoutes,
  recordMutationEvent,
  recordResponseEvents,
  type AuditHttpOptions,
} from './common';

/**
 * Express middleware: runs each request inside an audit context (actor, client address, user agent,
 * request id, session id, tenant) so `record()` picks them up, records every mutating request that
 * reached a route (`mutations`), and the sign-in/sign-out and personal-data read events configured in
 * `authRoutes` / `piiRoutes`.
 */
export function auditExpress(options: AuditHttpOptions = {}): RequestHandler {
  const auth = compileRoutes(options.authRoutes, 'POST');
  const pii = compileRoutes(options.piiRoutes, 'GET');
  return (req: Request, res: Response, next: NextFunction): void => {
    const ctx = buildContext(req, req.headers as Record<string, unknown>, req.ip ?? req.socket?.remoteAddress, options);
    if (!res.getHeader('x-request-id') && ctx.requestId) {
      res.setHeader('x-request-id', ctx.requestId);
    }
    const method = req.method;
    const path = (req.originalUrl ?? req.url).split('?')[0];
    res.once('finish', () => {
      recordResponseEvents(options, auth, pii, req, ctx, method, path, res.statusCode);
      const route = req.route ? `${req.baseUrl ?? ''}${String(req.route.path)}` : undefined;
      recordMutationEvent(
        options,
        auth,
        req,
        ctx,
        method,
        path,
        route,
        req.params as Record<string, string>,
        res.statusCode
      );
    });
    // The very object the response events read: setAuditActor() in a handler is seen by them too.
    auditContextStorage.run(ctx, () => next());
  };
}
