/**
 * The Attest audit event schema: enums, wire attribute names and Loki limits, generated from
 * schema/audit-event.json at the repository root (schema.gen.ts); README.md (Schema) explains them.
 */
import { type SeverityNumber } from '@opentelemetry/api-logs';

import { type AuditSeverity, SEVERITY_NUMBER_VALUES } from './schema.gen';

export * from './schema.gen';

export const SEVERITY_NUMBERS: Readonly<Record<AuditSeverity, SeverityNumber>> = SEVERITY_NUMBER_VALUES;

/** Name of the instrumentation scope the audit logger emits with. */
export const AUDIT_SCOPE_NAME = '@attest/otel-audit';
export const AUDIT_SCOPE_VERSION = '0.1.0';
