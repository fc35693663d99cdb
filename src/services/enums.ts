// The audit event's vocabularies and Loki names, generated from schema/audit-event.json
// (schema.gen.ts), with their types and guards.
import { ACTOR_TYPES, CATEGORIES, OUTCOMES, SEVERITIES } from './schema.gen';

export {
  ACTOR_TYPES,
  CATEGORIES,
  COMPLIANCE_FRAMEWORKS,
  INDEX_LABELS,
  METADATA,
  OUTCOMES,
  SEVERITIES,
} from './schema.gen';

export type Category = (typeof CATEGORIES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type ActorType = (typeof ACTOR_TYPES)[number];

export function isCategory(v: unknown): v is Category {
  return typeof v === 'string' && (CATEGORIES as readonly string[]).includes(v);
}
export function isSeverity(v: unknown): v is Severity {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}
export function isOutcome(v: unknown): v is Outcome {
  return typeof v === 'string' && (OUTCOMES as readonly string[]).includes(v);
}
