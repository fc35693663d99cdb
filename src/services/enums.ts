// Closed vocabularies of the audit event schema (DESIGN.md). Kept in their own module so that
// both the pure query layer and the UI can import them without circular imports.

export const CATEGORIES = [
  'AUTH',
  'USER_MGMT',
  'TENANT_MGMT',
  'SUBSCRIPTION',
  'PERMISSION',
  'DATA_ACCESS',
  'DATA_MODIFY',
  'INFRASTRUCTURE',
  'SECURITY',
  'COMPLIANCE',
  'API_ACCESS',
  'FILE_OPS',
  'AI_USAGE',
  'SYSTEM',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Most severe first. */
export const SEVERITIES = ['CRITICAL', 'ERROR', 'WARNING', 'INFO'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const OUTCOMES = ['success', 'failure', 'denied'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ACTOR_TYPES = ['user', 'system', 'service', 'api_key'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Loki index labels (stream selector). The only label names the builder writes into a selector. */
export const INDEX_LABELS = {
  service: 'service_name',
  environment: 'deployment_environment_name',
  category: 'audit_category',
  severity: 'severity_text',
} as const;

/** Structured metadata names (label filters after the selector). The only names the builder writes into a filter. */
export const METADATA = {
  id: 'audit_id',
  event: 'audit_event',
  action: 'audit_action',
  outcome: 'audit_outcome',
  actorType: 'audit_actor_type',
  userId: 'user_id',
  userEmail: 'user_email',
  userName: 'user_name',
  userRoles: 'user_roles',
  targetType: 'audit_target_type',
  targetId: 'audit_target_id',
  targetName: 'audit_target_name',
  changes: 'audit_changes',
  metadata: 'audit_metadata',
  clientAddress: 'client_address',
  userAgent: 'user_agent_original',
  sessionId: 'session_id',
  requestId: 'audit_request_id',
  compliance: 'audit_compliance',
  chainId: 'audit_chain_id',
  chainSeq: 'audit_chain_seq',
  chainPrev: 'audit_chain_prev',
  chainHash: 'audit_chain_hash',
  traceId: 'trace_id',
  spanId: 'span_id',
} as const;

export function isCategory(v: unknown): v is Category {
  return typeof v === 'string' && (CATEGORIES as readonly string[]).includes(v);
}
export function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}
export function isOutcome(v: unknown): v is Outcome {
  return typeof v === 'string' && (OUTCOMES as readonly string[]).includes(v);
}
