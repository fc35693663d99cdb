import {
  complianceTags,
  DEFAULT_COMPLIANCE_MAPPING,
  mergeComplianceMapping,
  type ComplianceMapping,
} from '../compliance';
import { ATTR } from '../schema';
import type { AnyValue } from '@opentelemetry/api-logs';
import { AuditStageProcessor, type MutableLogRecord } from './AuditStageProcessor';

export interface ComplianceProcessorOptions {
  /** Entries replacing the defaults per category / classification. Default: DEFAULT_COMPLIANCE_MAPPING. */
  mapping?: Partial<ComplianceMapping>;
  /** Use `mapping` as the whole table instead of merging it into the defaults. Default false. */
  replaceDefaults?: boolean;
}

/**
 * Sets `audit.compliance` (comma-separated SOX, GDPR, HIPAA, ISO27001, PCI_DSS, SOC2, NIS2) from
 * `audit.category` and `audit.classification`, keeping tags the producer set explicitly. Runs after
 * redaction and before pseudonymisation and the hash chain (the tags are hashed).
 */
export class ComplianceProcessor extends AuditStageProcessor {
  private readonly _mapping: ComplianceMapping;
  private readonly _cache = new Map<string, string>();

  constructor(options: ComplianceProcessorOptions = {}) {
    super();
    const m = options.mapping ?? {};
    this._mapping = options.replaceDefaults
      ? { categories: m.categories ?? {}, classifications: m.classifications ?? {} }
      : options.mapping
        ? mergeComplianceMapping(m)
        : DEFAULT_COMPLIANCE_MAPPING;
  }

  get mapping(): ComplianceMapping {
    return this._mapping;
  }

  process(record: MutableLogRecord): void {
    const attrs = record.attributes;
    const category = attrs[ATTR.category];
    const classification = attrs[ATTR.classification];
    const explicit = attrs[ATTR.compliance];
    const key = `${category}|${classification}|${explicit}`;
    let tags = this._cache.get(key);
    if (tags === undefined) {
      tags = complianceTags(
        this._mapping,
        typeof category === 'string' ? category : undefined,
        typeof classification === 'string' ? classification.split(',') : [],
        typeof explicit === 'string' ? explicit.split(',') : []
      ).join(',');
      if (this._cache.size < 1024) {
        this._cache.set(key, tags);
      }
    }
    if (tags.length > 0) {
      (attrs as Record<string, AnyValue>)['audit.compliance'] = tags;
    }
  }
}
