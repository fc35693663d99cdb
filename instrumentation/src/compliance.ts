import { COMPLIANCE_FRAMEWORKS, type AuditCategory, type ComplianceFramework, type DataClassification } from './schema';

/** Which frameworks an event concerns, by its category and by the kinds of data it touches. */
export interface ComplianceMapping {
  categories: Partial<Record<AuditCategory, readonly ComplianceFramework[]>>;
  classifications: Partial<Record<DataClassification, readonly ComplianceFramework[]>>;
}

/**
 * The default table. Rationale: SOX covers changes to financial data and the controls around it
 * (access, permissions, user lifecycle); GDPR personal data; HIPAA health data; PCI DSS cardholder
 * data and the credentials guarding it; ISO 27001 / SOC 2 access control, change and operations
 * logging; NIS2 security incidents, authentication and infrastructure of essential services.
 */
export const DEFAULT_COMPLIANCE_MAPPING: ComplianceMapping = Object.freeze({
  categories: Object.freeze({
    AUTH: ['SOC2', 'ISO27001', 'NIS2'],
    USER_MGMT: ['SOX', 'SOC2', 'ISO27001'],
    TENANT_MGMT: ['SOC2', 'ISO27001'],
    SUBSCRIPTION: ['SOX'],
    PERMISSION: ['SOX', 'SOC2', 'ISO27001'],
    DATA_ACCESS: ['SOC2', 'ISO27001'],
    DATA_MODIFY: ['SOX', 'SOC2'],
    INFRASTRUCTURE: ['SOC2', 'ISO27001', 'NIS2'],
    SECURITY: ['SOC2', 'ISO27001', 'NIS2'],
    COMPLIANCE: ['SOX', 'SOC2', 'ISO27001'],
    API_ACCESS: ['SOC2'],
    FILE_OPS: ['ISO27001'],
    AI_USAGE: ['ISO27001'],
    SYSTEM: ['ISO27001'],
  }),
  classifications: Object.freeze({
    pii: ['GDPR'],
    phi: ['HIPAA', 'GDPR'],
    cardholder: ['PCI_DSS'],
    financial: ['SOX'],
    credentials: ['PCI_DSS', 'ISO27001'],
    security: ['ISO27001', 'NIS2'],
  }),
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
