import type {
  ActorType,
  AuditCategory,
  AuditOutcome,
  AuditSeverity,
  ComplianceFramework,
  DataClassification,
} from './schema';

/** Who did it. */
export interface AuditActor {
  id: string;
  email?: string;
  name?: string;
  roles?: readonly string[];
  /** Default `user`. */
  type?: ActorType;
}

/** The record acted on ("Hardware #142"). */
export interface AuditTarget {
  type: string;
  id?: string;
  name?: string;
}

/** Where the request came from; set by the HTTP middleware or `runWithAuditContext`. */
export interface AuditRequestContext {
  actor?: AuditActor;
  clientAddress?: string;
  userAgent?: string;
  requestId?: string;
  sessionId?: string;
  /** Loki tenant of the request; selects the pseudonymisation key. */
  tenant?: string;
}

/** What the caller passes to `record()`. */
export interface AuditEventInput {
  /** Dotted event type, e.g. `user.created`, `auth.login.failed`. Required. */
  type: string;
  /** Required. */
  category: AuditCategory;
  /** Verb: create, read, update, delete, login, export, … Required. */
  action: string;
  /** Default `success`. */
  outcome?: AuditOutcome;
  /** Default `INFO`. */
  severity?: AuditSeverity;
  /** Default: the actor of the active request context. One of the two is required. */
  actor?: AuditActor;
  target?: AuditTarget;
  /** Human-readable line (the LogRecord body). Default: the event type. */
  description?: string;
  changes?: { before?: unknown; after?: unknown };
  metadata?: Record<string, unknown>;
  /** The infrastructure stack the event concerns, and its region (e.g. `prod-eu`, `eu-west-1`). */
  stack?: string;
  region?: string;
  /** Kinds of data the event touches; drive the compliance tags. */
  classification?: readonly DataClassification[];
  /** Framework tags to add to the mapped ones. */
  compliance?: readonly ComplianceFramework[];
  /** Overrides of the active request context for this event. */
  context?: AuditRequestContext;
  /** Default: a fresh UUIDv7. */
  id?: string;
  /** Default: now. */
  timestamp?: Date | number;
}

/** Size limits checked by `record()`. Defaults keep headroom below Loki's limits. */
export interface AuditLimits {
  /** Max UTF-8 bytes of all attributes (names + values). Default 56 KiB (Loki: 64 KiB). */
  maxAttributesBytes?: number;
  /** Max UTF-8 bytes of the description (the Loki line). Default 32 KiB (Loki: 256 KiB). */
  maxDescriptionBytes?: number;
  /** Max UTF-8 bytes of a short field (ids, names, emails, user agent). Default 1024. */
  maxFieldBytes?: number;
  /** Max number of roles. Default 64. */
  maxRoles?: number;
  /** Max nesting depth of changes/metadata. Default 16. */
  maxDepth?: number;
}
