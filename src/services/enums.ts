// The audit event's vocabularies and Loki names, generated from schema/audit-event.json
// (schema.gen.ts), with their guards.
import {
  type Category,
  type Classification,
  type Outcome,
  type Severity,
  CATEGORIES,
  DATA_CLASSIFICATIONS,
  OUTCOMES,
  SEVERITIES,
} from './schema.gen';

export * from './schema.gen';

export function isCategory(v: unknown): v is Category {
  return typeof v === 'string' && (CATEGORIES as readonly string[]).includes(v);
}
export function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}
export function isOutcome(v: unknown): v is Outcome {
  return typeof v === 'string' && (OUTCOMES as readonly string[]).includes(v);
}
export function isClassification(v: unknown): v is Classification {
  return typeof v === 'string' && (DATA_CLASSIFICATIONS as readonly string[]).includes(v);
}

/**
 * One colour per category (a Grafana visualization colour name), the same on the Overview's chips, its
 * chart and the viewer's badges.
 */
export const CATEGORY_COLOR: Record<Category, string> = {
  AUTH: 'blue',
  USER_MGMT: 'purple',
  TENANT_MGMT: 'dark-purple',
  SUBSCRIPTION: 'yellow',
  PERMISSION: 'orange',
  DATA_ACCESS: 'green',
  DATA_MODIFY: 'dark-green',
  INFRASTRUCTURE: 'semi-dark-blue',
  SECURITY: 'red',
  COMPLIANCE: 'dark-orange',
  API_ACCESS: 'light-blue',
  FILE_OPS: 'dark-yellow',
  AI_USAGE: 'light-purple',
  SYSTEM: 'dark-red',
};
