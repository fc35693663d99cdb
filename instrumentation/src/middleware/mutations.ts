import { diag } from '@opentelemetry/api';
import { auditContextStorage, mutationRecordedIn } from '../context';
import type { AuditOutcome } from '../schema.gen';
import type { AuditActor, AuditRequestContext } from '../types';
import type { AuditRecorder } from './common';

/** What a handler adds to the event its mutating request records. */
interface RequestAudit {
  changes?: { before?: unknown; after?: unknown };
  target?: { type?: string; id?: string; name?: string };
  skip?: boolean;
}

// Keyed by the request's audit context: the object the middleware runs the request in.
const byContext = new WeakMap<AuditRequestContext, RequestAudit>();

function current(): RequestAudit | undefined {
  const ctx = auditContextStorage.getStore();
  if (!ctx) {
    diag.warn('audit middleware: setAuditChanges / skipAudit outside a request the middleware runs');
    return undefined;
  }
  let a = byContext.get(ctx);
  if (!a) {
    a = {};
    byContext.set(ctx, a);
  }
  return a;
}

/**
 * The before and after of what this request changes, for the event its mutating request records
 * (and, optionally, the target when the route's parameters do not name it).
 */
export function setAuditChanges(
  before: unknown,
  after: unknown,
  target?: { type?: string; id?: string; name?: string }
): void {
  const a = current();
  if (a) {
    a.changes = { before, after };
    a.target = target ?? a.target;
  }
}

/** This request records its own events: the middleware records none for it. */
export function skipAudit(): void {
  const a = current();
  if (a) {
    a.skip = true;
  }
}

const ACTION: Record<string, { action: string; past: string }> = {
  POST: { action: 'create', past: 'created' },
  PUT: { action: 'update', past: 'updated' },
  PATCH: { action: 'update', past: 'updated' },
  DELETE: { action: 'delete', past: 'deleted' },
};

/** `/v1/invoices/:invoiceId/lines/:id` → resource `line`, target id from `:id`. */
export function resourceOf(route: string, params: Record<string, string>): { type: string; id?: string } {
  const segs = route.split('/').filter((s) => s !== '');
  let type = 'resource';
  let id: string | undefined;
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i];
    if (s.startsWith(':') || /^\{.+\}$/.test(s)) {
      if (id === undefined) {
        id = params[s.replace(/^:|[{}?]/g, '')];
      }
      continue;
    }
    if (/^v\d+$/i.test(s) || s === 'api') {
      continue;
    }
    type = s
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/ies$/, 'y')
      .replace(/(?<!s)s$/, '');
    break;
  }
  return { type: type.slice(0, 64) || 'resource', id };
}

function outcomeOf(status: number): AuditOutcome {
  if (status < 400) {
    return 'success';
  }
  return status === 401 || status === 403 ? 'denied' : 'failure';
}

/**
 * Records a create, update or delete for every mutating request (POST, PUT, PATCH, DELETE) that
 * reached a route: who (the request's actor), what (the route's resource, the target from its
 * parameters), the outcome from the status, and the before/after a handler set. Never throws.
 */
export function recordMutation(
  logger: AuditRecorder,
  ctx: AuditRequestContext,
  actor: AuditActor | undefined,
  method: string,
  route: string | undefined,
  params: Record<string, string>,
  status: number
): void {
  const verb = ACTION[method.toUpperCase()];
  const extra = byContext.get(ctx);
  // A handler that recorded its own create, update or delete is not recorded twice.
  if (!verb || !route || extra?.skip || status === 404 || mutationRecordedIn(ctx)) {
    return;
  }
  try {
    const r = resourceOf(route, params);
    const target = { type: extra?.target?.type ?? r.type, id: extra?.target?.id ?? r.id, name: extra?.target?.name };
    const outcome = outcomeOf(status);
    const who = actor ?? ctx.actor ?? { id: 'anonymous', type: 'user' as const };
    logger.record({
      type: `${target.type}.${verb.past}`,
      category: 'DATA_MODIFY',
      action: verb.action,
      outcome,
      severity: outcome === 'success' ? 'INFO' : 'WARNING',
      actor: who,
      target: target.id || target.name ? target : { type: target.type },
      changes: extra?.changes,
      description: `${method.toUpperCase()} ${route}: ${status}`,
      context: { ...ctx, actor: who },
      metadata: { http: { method: method.toUpperCase(), route, status } },
    });
  } catch (e) {
    diag.error('audit middleware: could not record the mutation', e);
  }
}

/** An AUTH event that succeeded (INFO) or failed (WARNING): what recordMfa and recordSso write. */
function recordAuth(
  logger: AuditRecorder,
  e: { actor?: AuditActor; success: boolean; context?: AuditRequestContext },
  what: { type: string; action: string; metadata: Record<string, unknown>; description: string }
): string {
  return logger.record({
    ...what,
    category: 'AUTH',
    outcome: e.success ? 'success' : 'failure',
    severity: e.success ? 'INFO' : 'WARNING',
    actor: e.actor,
    context: e.context,
  });
}

/** A second factor checked (or not): `auth.mfa.verified` / `auth.mfa.failed` (AUTH). */
export function recordMfa(
  logger: AuditRecorder,
  e: { actor?: AuditActor; method: string; success: boolean; context?: AuditRequestContext }
): string {
  return recordAuth(logger, e, {
    type: e.success ? 'auth.mfa.verified' : 'auth.mfa.failed',
    action: 'mfa',
    metadata: { mfa_method: e.method },
    description: `second factor (${e.method}) ${e.success ? 'verified' : 'failed'}`,
  });
}

/** A sign-in through an identity provider: `auth.sso.login.succeeded` / `.failed` (AUTH). */
export function recordSso(
  logger: AuditRecorder,
  e: { actor?: AuditActor; provider: string; success: boolean; reason?: string; context?: AuditRequestContext }
): string {
  return recordAuth(logger, e, {
    type: e.success ? 'auth.sso.login.succeeded' : 'auth.sso.login.failed',
    action: 'login',
    metadata: { sso_provider: e.provider, ...(e.reason ? { reason: e.reason } : {}) },
    description: `single sign-on through ${e.provider} ${e.success ? 'succeeded' : 'failed'}`,
  });
}
