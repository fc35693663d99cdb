/**
 * The Attest audit event schema: enums, wire attribute names and Loki limits, generated from
 * schema/audit-event.json at the repository root (schema.gen.ts); README.md (Schema) explains them.
 */
import { type SeverityNumber } from '@opentelemetry/api-logs';

import {
  ACTOR_TYPES,
  AUDIT_CATEGORIES,
  AUDIT_OUTCOMES,
  AUDIT_SEVERITIES,
  COMPLIANCE_FRAMEWORKS,
  DATA_CLASSIFICATIONS,
  SEVERITY_NUMBER_VALUES,
} from './schema.gen';

export {
  ACTOR_TYPES,
  ATTR,
  AUDIT_CATEGORIES,
  AUDIT_OUTCOMES,
  AUDIT_SEVERITIES,
  COMPLIANCE_FRAMEWORKS,
  DATA_CLASSIFICATIONS,
  LOKI_LIMITS,
} from './schema.gen';

export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];
export type ActorType = (typeof ACTOR_TYPES)[number];
export type ComplianceFramework = (typeof COMPLIANCE_FRAMEWORKS)[number];
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

export const SEVERITY_NUMBERS: Readonly<Record<AuditSeverity, SeverityNumber>> = SEVERITY_NUMBER_VALUES;

/** Name of the instrumentation scope the audit logger emits with. */
export const AUDIT_SCOPE_NAME = '@attest/otel-audit';
export const AUDIT_SCOPE_VERSION = '0.1.0';
