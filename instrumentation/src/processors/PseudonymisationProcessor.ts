import { diag } from '@opentelemetry/api';
import { createHmac } from 'node:crypto';
import type { KeyStore } from '../KeyStore';
import { ATTR } from '../schema';
import { marker } from '../redaction/patterns';
import { safeJsonStringify } from '../safeJson';
import { AuditStageProcessor, writeAttribute, type MutableLogRecord } from './AuditStageProcessor';

export interface PseudonymisationProcessorOptions {
  keyStore: KeyStore;
  /** Tenant whose key is used. */
  tenant: string;
  /** Attributes replaced by pseudonyms. Default user.id, user.email, user.name. */
  attributes?: readonly string[];
}

/** Value written when the tenant's key is gone: the identity is never emitted in clear. */
export const ERASED_MARKER = marker('erased');

/**
 * GDPR pseudonymisation: replaces actor identifiers by `psn:` + the first 128 bits (hex) of
 * HMAC-SHA256(tenant key, "<attribute>\n<value>"). Equal identities give equal pseudonyms within a
 * tenant, so a person's trail stays correlated; destroying the key makes them unlinkable.
 * Runs after redaction and compliance tagging, before the hash chain (the chain covers pseudonyms).
 */
export class PseudonymisationProcessor extends AuditStageProcessor {
  private readonly _keyStore: KeyStore;
  private readonly _tenant: string;
  private readonly _attributes: readonly string[];
  private _warnedMissing = false;

  constructor(options: PseudonymisationProcessorOptions) {
    super();
    this._keyStore = options.keyStore;
    this._tenant = options.tenant;
    this._attributes = options.attributes ?? [ATTR.userId, ATTR.userEmail, ATTR.userName];
  }

  /** The pseudonym of `value` in `attribute`, or undefined when the tenant has no key. */
  pseudonym(attribute: string, value: string): string | undefined {
    const key = this._keyStore.getKey(this._tenant);
    if (!key) {
      return undefined;
    }
    return `psn:${createHmac('sha256', key).update(`${attribute}\n${value}`).digest('hex').slice(0, 32)}`;
  }

  process(record: MutableLogRecord): void {
    const attrs = record.attributes;
    for (const a of this._attributes) {
      const raw = attrs[a];
      if (raw === undefined || raw === null) {
        continue;
      }
      let p: string | undefined;
      try {
        // A non-string identity (from another producer) is pseudonymised in its JSON form, never kept.
        const v = typeof raw === 'string' ? raw : safeJsonStringify(raw);
        p = this.pseudonym(a, v);
      } catch (e) {
        diag.error('PseudonymisationProcessor: key store failed', e);
      }
      if (p === undefined && !this._warnedMissing) {
        this._warnedMissing = true;
        diag.warn(`PseudonymisationProcessor: no key for tenant ${this._tenant}; identities are erased`);
      }
      writeAttribute(record, a, p ?? ERASED_MARKER);
    }
  }
}
