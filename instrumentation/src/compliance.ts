import { COMPLIANCE_TABLE } from './schema.gen';
import { COMPLIANCE_FRAMEWORKS, type AuditCategory, type ComplianceFramework, type DataClassification } from './schema';

/** Which frameworks an event concerns, by its category and by the kinds of data it touches. */
export interface ComplianceMapping {
  categories: Partial<Record<AuditCategory, readonly ComplianceFramework[]>>;
  classifications: Partial<Record<DataClassification, readonly ComplianceFramework[]>>;
}

/** The default table (rationale in schema/audit-event.json). */
export const DEFAULT_COMPLIANCE_MAPPING: ComplianceMapping = Object.freeze({
  categories: Object.freeze({ ...COMPLIANCE_TABLE.categories }),
  classifications: Object.freeze({ ...COMPLIANCE_TABLE.classifications }),
}) as ComplianceMapping;

/**
 * Merges overrides into the default table: an entry given in `overrides` replaces the default entry
 * for that category or classification (an empty array removes the tags).
 */
export function mergeComplianceMapping(overrides: Partial<ComplianceMapping>): ComplianceMapping {
  return {
    categories: { ...DEFAULT_COMPLIANCE_MAPPING.categories, ...(overrides.categories ?? {}) },
    classifications: { ...DEFAULT_COMPLIANCE_MAPPING.classifications, ...(overrides.classifications ?? {}) },
  };
}

const own = <T>(table: Partial<Record<string, T>>, key: string | undefined): T | undefined =>
  key !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;

const ORDER = new Map<string, number>(COMPLIANCE_FRAMEWORKS.map((f, i) => [f, i]));

/** Tags for a category, classifications and explicit tags, de-duplicated in COMPLIANCE_FRAMEWORKS order. */
export function complianceTags(
  mapping: ComplianceMapping,
  category: string | undefined,
  classifications: readonly string[],
  explicit: readonly string[] = []
): string[] {
  const set = new Set<string>();
  const cat = own(mapping.categories as Partial<Record<string, readonly string[]>>, category);
  if (Array.isArray(cat)) {
    cat.forEach((t) => set.add(t));
  }
  for (const c of classifications) {
    const tags = own(mapping.classifications as Partial<Record<string, readonly string[]>>, c);
    if (Array.isArray(tags)) {
      tags.forEach((t) => set.add(t));
    }
  }
  explicit.forEach((t) => ORDER.has(t) && set.add(t));
  return [...set].sort((a, b) => (ORDER.get(a) ?? 99) - (ORDER.get(b) ?? 99));
}
