import { diag } from '@opentelemetry/api';
import { ATTR } from '../schema';
import { marker } from '../redaction/patterns';
import { Redactor, type RedactorOptions } from '../redaction/Redactor';
import { AuditStageProcessor, writeAttribute, type MutableLogRecord } from './AuditStageProcessor';

export type RedactionProcessorOptions = RedactorOptions;

/** Attributes holding JSON text: parsed and redacted field by field. */
const JSON_ATTRIBUTES = new Set<string>([ATTR.changes, ATTR.metadata]);
/** Attributes whose values are validated enums, ids or computed tags: nothing to redact. */
const SKIP_ATTRIBUTES = new Set<string>([
  ATTR.id,
  ATTR.category,
  ATTR.outcome,
  ATTR.actorType,
  ATTR.classification,
  ATTR.compliance,
  ATTR.chainId,
  ATTR.chainSeq,
  ATTR.chainPrev,
  ATTR.chainHash,
]);

/**
 * Removes secrets from the body and every string attribute: JWTs, bearer tokens, API keys, passwords
 * (in connection strings, key=value text and secret-named fields at any depth of changes/metadata),
 * private keys, URL query tokens, cookies and Luhn-valid card numbers. Each becomes `[REDACTED:<kind>]`.
 * Runs first: before compliance tagging, pseudonymisation and the hash chain. Never throws.
 */
export class RedactionProcessor extends AuditStageProcessor {
  private readonly _redactor: Redactor;

  constructor(options: RedactionProcessorOptions = {}) {
    super();
    this._redactor = new Redactor(options);
  }

  get redactor(): Redactor {
    return this._redactor;
  }

  process(record: MutableLogRecord): void {
    // Common case first: one scan over all string values joined; nothing to do when it finds nothing.
    const attrs = record.attributes;
    const parts: string[] = [];
    const jsonTexts: string[] = [];
    let structured = false;
    for (const key in attrs) {
      if (SKIP_ATTRIBUTES.has(key)) {
        continue;
      }
      const v = attrs[key];
      if (typeof v === 'string') {
        parts.push(v);
        if (JSON_ATTRIBUTES.has(key)) {
          jsonTexts.push(v);
        }
      } else if (v !== null && typeof v === 'object') {
        structured = true;
      }
    }
    const body = record.body;
    if (typeof body === 'string') {
      parts.push(body);
    } else if (body !== null && typeof body === 'object') {
      structured = true;
    }
    if (!structured && !this._redactor.mightContainSecret(parts.join('\n'), jsonTexts)) {
      return;
    }
    this._processEach(record);
  }

  private _processEach(record: MutableLogRecord): void {
    const attrs = record.attributes;
    for (const key of Object.keys(attrs)) {
      if (SKIP_ATTRIBUTES.has(key)) {
        continue;
      }
      const v = attrs[key];
      try {
        if (typeof v === 'string') {
          const r = JSON_ATTRIBUTES.has(key) ? this._redactor.redactJson(v) : this._redactor.redactString(v);
          if (r !== v) {
            writeAttribute(record, key, r);
          }
        } else if (v !== null && typeof v === 'object') {
          // Structured attribute values (from other producers): redact field names and strings alike.
          writeAttribute(record, key, this._redactor.redactValue(v) as typeof v);
        }
      } catch (e) {
        diag.error(`RedactionProcessor: could not scan attribute ${key}; value removed`, e);
        writeAttribute(record, key, marker('unscannable'));
      }
    }
    const body = record.body;
    if (typeof body === 'string') {
      const r = this._redactor.redactString(body);
      if (r !== body) {
        record.body = r;
      }
    } else if (body !== null && typeof body === 'object') {
      try {
        record.body = this._redactor.redactValue(body) as typeof body;
      } catch {
        record.body = marker('unscannable');
      }
    }
  }
}
