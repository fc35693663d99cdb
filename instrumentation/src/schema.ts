/**
 * The Attest audit event schema: enums, wire attribute names and Loki limits.
 * See ../../shared/DESIGN.md ("The audit event on the wire") and README.md (Schema).
 */
import { SeverityNumber } from '@opentelemetry/api-logs';

export const AUDIT_CATEGORIES = [
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
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_SEVERITIES = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

export const SEVERITY_NUMBERS: Readonly<Record<AuditSeverity, SeverityNumber>> = {
  INFO: SeverityNumber.INFO,
  WARNING: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
  CRITICAL: SeverityNumber.FATAL,
};

export const ACTOR_TYPES = ['user', 'system', 'service', 'api_key'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const COMPLIANCE_FRAMEWORKS = ['SOX', 'GDPR', 'HIPAA', 'ISO27001', 'PCI_DSS', 'SOC2', 'NIS2'] as const;
export type ComplianceFramework = (typeof COMPLIANCE_FRAMEWORKS)[number];

export const DATA_CLASSIFICATIONS = [
  'public',
  'internal',
  'confidential',
  'pii',
  'phi',
  'cardholder',
  'financial',
  'credentials',
  'security',
] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** Wire attribute names (log attributes). Keep in sync with DESIGN.md. */
export const ATTR = {
  id: 'audit.id',
  event: 'audit.event',
  category: 'audit.category',
  action: 'audit.action',
  outcome: 'audit.outcome',
  userId: 'user.id',
  userEmail: 'user.email',
  userName: 'user.name',
  userRoles: 'user.roles',
  actorType: 'audit.actor.type',
  targetType: 'audit.target.type',
  targetId: 'audit.target.id',
  targetName: 'audit.target.name',
  changes: 'audit.changes',
  metadata: 'audit.metadata',
  clientAddress: 'client.address',
  userAgent: 'user_agent.original',
  sessionId: 'session.id',
  requestId: 'audit.request.id',
  classification: 'audit.classification',
  compliance: 'audit.compliance',
  chainId: 'audit.chain.id',
  chainSeq: 'audit.chain.seq',
  chainPrev: 'audit.chain.prev',
  chainHash: 'audit.chain.hash',
} as const;

/** Loki's per-line limits (HTTP 400, dropped permanently by the Collector, when exceeded). */
export const LOKI_LIMITS = {
  structuredMetadataBytes: 64 * 1024,
  structuredMetadataEntries: 128,
  lineBytes: 256 * 1024,
} as const;

/** Name of the instrumentation scope the audit logger emits with. */
export const AUDIT_SCOPE_NAME = '@attest/otel-audit';
export const AUDIT_SCOPE_VERSION = '0.1.0';
