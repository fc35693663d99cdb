/**
 * Canonical serialisation of an audit record for the hash chain, version 1.
 * Specified in docs/hash-chain.md; test vectors in test-vectors/hash-chain.json.
 */
import * as nodeCrypto from 'node:crypto';
import type { HrTime } from '@opentelemetry/api';
import type { LogAttributes, LogBody } from '@opentelemetry/api-logs';

export const CANONICAL_VERSION = 1;
/** `audit.chain.prev` of the first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);
/** Attribute name prefixes covered by the hash (OpenTelemetry form). */
export const COVERED_PREFIXES = ['audit.', 'user.', 'user_agent.', 'client.', 'session.'] as const;
export const HASH_ATTRIBUTE = 'audit.chain.hash';

/** The fields of a record the canonical form reads. */
export interface CanonicalInput {
  hrTime: HrTime;
  severityText?: string;
  body?: LogBody;
  attributes: LogAttributes;
}

const covered = (name: string): boolean => {
  for (const p of COVERED_PREFIXES) {
    if (name.startsWith(p)) {
      return name !== HASH_ATTRIBUTE;
    }
  }
  return false;
};

/** Attribute value as covered text, or undefined when the value is not covered. */
function valueText(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return v.length > 0 ? v : undefined;
  }
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) ? String(v) : undefined;
  }
  if (typeof v === 'boolean') {
    return v ? 'true' : 'false';
  }
  return undefined;
}

/** Nanoseconds since the epoch as a decimal string without leading zeros. */
export function timeUnixNano(t: HrTime): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

// Below U+D800, UTF-16 code unit order equals UTF-8 byte order; compare bytes only beyond that.
const NEEDS_BYTES = /[\ud800-\uffff]/;
function compareNames(a: [string, string], b: [string, string]): number {
  if (NEEDS_BYTES.test(a[0]) || NEEDS_BYTES.test(b[0])) {
    return Buffer.compare(Buffer.from(a[0], 'utf8'), Buffer.from(b[0], 'utf8'));
  }
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The (name, value) pairs a record's hash covers, in canonical order. */
export function canonicalFields(rec: CanonicalInput): Array<[string, string]> {
  const fields: Array<[string, string]> = [['time_unix_nano', timeUnixNano(rec.hrTime)]];
  if (typeof rec.severityText === 'string' && rec.severityText.length > 0) {
    fields.push(['severity_text', rec.severityText]);
  }
  if (typeof rec.body === 'string' && rec.body.length > 0) {
    fields.push(['body', rec.body]);
  }
  const attrs = rec.attributes;
  for (const name of Object.keys(attrs)) {
    if (!covered(name)) {
      continue;
    }
    const text = valueText(attrs[name]);
    if (text !== undefined) {
      fields.push([name.replace(/\./g, '_'), text]);
    }
  }
  // Byte order of the UTF-8 names (names are ASCII in practice; Buffer.compare covers the rest).
  fields.sort(compareNames);
  return fields;
}

/** Canonical text: for each field `<bytes(name)>:<name><bytes(value)>:<value>`, concatenated. Hash its UTF-8. */
export function canonicalString(rec: CanonicalInput): string {
  let out = '';
  for (const [k, v] of canonicalFields(rec)) {
    out += `${byteLen(k)}:${k}${byteLen(v)}:${v}`;
  }
  return out;
}

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;
const hashFn: (data: string) => string =
  typeof oneShot === 'function'
    ? (data) => oneShot('sha256', data, 'hex')
    : (data) => nodeCrypto.createHash('sha256').update(data, 'utf8').digest('hex');

/** Lowercase hex SHA-256 of the canonical form. The record must already carry audit.chain.prev. */
export function canonicalHash(rec: CanonicalInput): string {
  return hashFn(canonicalString(rec));
}
