import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditActor, AuditRequestContext } from './types';

const storage = new AsyncLocalStorage<AuditRequestContext>();

/** Runs `fn` with `ctx` as the audit request context; nested calls merge with the outer context. */
export function runWithAuditContext<T>(ctx: AuditRequestContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...ctx } : { ...ctx }, fn);
}

// Request contexts under which a create, update or delete was recorded: the HTTP middleware then
// records no mutation of its own for that request (src/middleware/mutations.ts).
const mutated = new WeakSet<AuditRequestContext>();

/** Notes, for the active request context, an event just recorded with this action. */
export function noteRecordedAction(action: string | undefined): void {
  const store = storage.getStore();
  if (store && (action === 'create' || action === 'update' || action === 'delete')) {
    mutated.add(store);
  }
}

/** Whether a create, update or delete was recorded under this request context. */
export function mutationRecordedIn(ctx: AuditRequestContext): boolean {
  return mutated.has(ctx);
}

/** The active audit request context, if any. */
export function getAuditContext(): AuditRequestContext | undefined {
  return storage.getStore();
}

/**
 * Sets the actor of the active context (e.g. once authentication has identified the user).
 * Returns false when no context is active.
 */
export function setAuditActor(actor: AuditActor | undefined): boolean {
  const store = storage.getStore();
  if (!store) {
    return false;
  }
  store.actor = actor;
  return true;
}

/** Updates fields of the active context in place. Returns false when no context is active. */
export function updateAuditContext(patch: Partial<AuditRequestContext>): boolean {
  const store = storage.getStore();
  if (!store) {
    return false;
  }
  Object.assign(store, patch);
  return true;
}

/** @internal For middleware that must enter a context from a callback-style hook. */
export const auditContextStorage = storage;
