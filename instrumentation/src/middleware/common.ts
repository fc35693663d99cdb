import { diag } from '@opentelemetry/api';
import { v7 as uuidv7 } from 'uuid';
import type { AuditEventInput } from '../types';
import type { AuditActor, AuditRequestContext } from '../types';
import { recordMutation } from './mutations';

/** Anything with record(): AuditLogger, AuditPipeline, MultiTenantAuditLogger. */
export interface AuditRecorder {
  record(event: AuditEventInput): string;
}

/** A sign-in / sign-out route whose responses become AUTH events. */
export interface AuthRoute {
  kind: 'login' | 'logout';
  /** Default POST. */
  method?: string;
  /** Exact path, a path with `:params`, or a RegExp over the path (query string excluded). */
  path: string | RegExp;
  /**
   * Identity the sign-in attempt claims (for failed sign-ins there is no authenticated actor).
   * Default: body.username ?? body.email ?? 'anonymous'.
   */
  claimedActor?: (req: unknown) => AuditActor | undefined;
}

/** A route that returns personal data: a 2xx response records `pii.read.<type>` (DATA_ACCESS). */
export interface PiiRoute {
  /** Default GET. */
  method?: string;
  path: string | RegExp;
  /** Record type, e.g. `customer`. */
  type: string;
  /** Record id: default the `:id` param (or the `id` named group of a RegExp). */
  getId?: (req: unknown, params: Record<string, string>) => string | undefined;
}

/** Options of auditExpress / auditFastify. */
export interface AuditHttpOptions {
  /** Needed for authRoutes / piiRoutes events: an AuditLogger, a pipeline or a MultiTenantAuditLogger. */
  logger?: AuditRecorder;
  /** The authenticated actor of a request (read at the start and again when the response finishes). */
  getActor?: (req: unknown) => AuditActor | undefined;
  getSessionId?: (req: unknown) => string | undefined;
  getTenant?: (req: unknown) => string | undefined;
  /** Header carrying the request id; a UUIDv7 is generated when absent. Default `x-request-id`. */
  requestIdHeader?: string;
  authRoutes?: readonly AuthRoute[];
  piiRoutes?: readonly PiiRoute[];
  /**
   * Every mutating request (POST, PUT, PATCH, DELETE) that reached a route is recorded as a create,
   * update or delete of the route's resource (`invoice.updated`), with the outcome from its status and
   * the before/after a handler gives with setAuditChanges(). Default true (needs `logger`).
   */
  mutations?: boolean;
}

/** Records the mutation a finished request implies, unless it was a sign-in/sign-out route. */
export function recordMutationEvent(
  options: AuditHttpOptions,
  auth: Array<CompiledRoute<AuthRoute>>,
  req: unknown,
  ctx: AuditRequestContext,
  method: string,
  path: string,
  route: string | undefined,
  params: Record<string, string> | undefined,
  status: number
): void {
  if (!options.logger || options.mutations === false || matchRoute(auth, method, path)) {
    return;
  }
  let actor: AuditActor | undefined;
  try {
    actor = options.getActor?.(req) ?? ctx.actor;
  } catch {
    actor = ctx.actor;
  }
  recordMutation(options.logger, ctx, actor, method, route, params ?? {}, status);
}

interface CompiledRoute<T> {
  route: T;
  method: string;
  re: RegExp;
  names: string[];
}

export function compileRoutes<T extends { method?: string; path: string | RegExp }>(
  routes: readonly T[] | undefined,
  defaultMethod: string
): Array<CompiledRoute<T>> {
  return (routes ?? []).map((route) => {
    const method = (route.method ?? defaultMethod).toUpperCase();
    if (route.path instanceof RegExp) {
      return { route, method, re: route.path, names: [] };
    }
    const names: string[] = [];
    const src = route.path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          names.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    return { route, method, re: new RegExp(`^${src}/?$`), names };
  });
}

export function matchRoute<T>(
  compiled: Array<CompiledRoute<T>>,
  method: string,
  path: string
): { route: T; params: Record<string, string> } | undefined {
  for (const c of compiled) {
    if (c.method !== method.toUpperCase()) {
      continue;
    }
    const m = c.re.exec(path);
    if (m) {
      const params: Record<string, string> = { ...(m.groups ?? {}) };
      c.names.forEach((n, i) => {
        params[n] = decodeSafe(m[i + 1]);
      });
      return { route: c.route, params };
    }
  }
  return undefined;
}

const decodeSafe = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const header = (headers: Record<string, unknown>, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return typeof v === 'string' && v.length > 0
    ? v.slice(0, 256)
    : Array.isArray(v) && typeof v[0] === 'string'
      ? v[0].slice(0, 256)
      : undefined;
};

export function buildContext(
  req: unknown,
  headers: Record<string, unknown>,
  clientAddress: string | undefined,
  options: AuditHttpOptions
): AuditRequestContext {
  const safe = <T>(fn: (() => T) | undefined): T | undefined => {
    try {
      return fn?.();
    } catch (e) {
      diag.error('audit middleware: option callback failed', e);
      return undefined;
    }
  };
  return {
    actor: safe(options.getActor && (() => options.getActor!(req))),
    clientAddress,
    userAgent: header(headers, 'user-agent'),
    requestId: header(headers, options.requestIdHeader ?? 'x-request-id') ?? uuidv7(),
    sessionId: safe(options.getSessionId && (() => options.getSessionId!(req))),
    tenant: safe(options.getTenant && (() => options.getTenant!(req))),
  };
}

function claimed(req: unknown): AuditActor {
  const body = (req as { body?: unknown }).body;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const id = typeof b.username === 'string' ? b.username : typeof b.email === 'string' ? b.email : undefined;
    if (id && id.length > 0) {
      return {
        id: id.slice(0, 256),
        email: typeof b.email === 'string' ? b.email.slice(0, 256) : undefined,
        type: 'user',
      };
    }
  }
  return { id: 'anonymous', type: 'user' };
}

/** Records the auth / PII events a finished response implies. Never throws. */
export function recordResponseEvents(
  options: AuditHttpOptions,
  auth: Array<CompiledRoute<AuthRoute>>,
  pii: Array<CompiledRoute<PiiRoute>>,
  req: unknown,
  ctx: AuditRequestContext,
  method: string,
  path: string,
  status: number
): void {
  const logger = options.logger;
  if (!logger || (auth.length === 0 && pii.length === 0)) {
    return;
  }
  try {
    const actorNow = options.getActor?.(req) ?? ctx.actor;
    const a = matchRoute(auth, method, path);
    if (a) {
      const metadata = { http: { method, route: path, status } };
      if (a.route.kind === 'login') {
        if (status < 400) {
          const actor = actorNow ?? a.route.claimedActor?.(req) ?? claimed(req);
          logger.record({
            type: 'auth.login.succeeded',
            category: 'AUTH',
            action: 'login',
            outcome: 'success',
            actor,
            context: { ...ctx, actor },
            metadata,
          });
        } else if (status < 500) {
          const actor = a.route.claimedActor?.(req) ?? claimed(req);
          logger.record({
            type: 'auth.login.failed',
            category: 'AUTH',
            action: 'login',
            outcome: 'failure',
            severity: 'WARNING',
            actor,
            context: { ...ctx, actor },
            metadata,
            description: `failed sign-in for ${actor.id}`,
          });
        }
      } else if (status < 400) {
        const actor = ctx.actor ?? actorNow;
        if (actor) {
          logger.record({ type: 'auth.logout', category: 'AUTH', action: 'logout', actor, context: ctx, metadata });
        }
      }
      return;
    }
    const p = matchRoute(pii, method, path);
    if (p && status >= 200 && status < 300) {
      const actor = actorNow ?? ctx.actor;
      const id = p.route.getId ? p.route.getId(req, p.params) : (p.params.id ?? undefined);
      logger.record({
        type: `pii.read.${slugType(p.route.type)}`,
        category: 'DATA_ACCESS',
        action: 'read',
        classification: ['pii'],
        target: { type: p.route.type, id },
        actor,
        context: { ...ctx, actor },
        metadata: { http: { method, route: path, status } },
      });
    }
  } catch (e) {
    diag.error('audit middleware: could not record the response event', e);
  }
}

/** Event-type segment from a record type: `Hardware Item` → `hardware_item`. */
function slugType(s: string): string {
  const v = s
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[^a-z]+/, '');
  return v.length > 0 ? v.slice(0, 64) : 'record';
}
