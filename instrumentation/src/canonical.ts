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
  /**
   * The stream the record was read from (Loki's service_name and deployment_environment_name), when
   * known: not hashed, compared with the record's own `audit.chain.service` / `audit.chain.environment`.
   */
  stream?: { service?: string; environment?: string };
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
  const [sec, ns] = t;
  if (Number.isSafeInteger(sec) && sec > 0 && Number.isInteger(ns) && ns >= 0 && ns < 1e9) {
    return `${sec}${String(ns).padStart(9, '0')}`;
  }
  // Anything else (fractions, NaN, negative) is normalised rather than thrown on; records made by
  // this package always take the fast path above.
  const s = Number.isFinite(sec) ? Math.max(0, Math.trunc(sec)) : 0;
  const n = Number.isFinite(ns) ? Math.max(0, Math.trunc(ns)) : 0;
  return (BigInt(s) * 1_000_000_000n + BigInt(n)).toString();
}

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

// Below U+D800, UTF-16 code unit order equals UTF-8 byte order; compare bytes only beyond that.
const NEEDS_BYTES = /[\ud800-\uffff]/;
function compareNames(a: string, b: string): number {
  if (NEEDS_BYTES.test(a) || NEEDS_BYTES.test(b)) {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Per attribute name: covered or not, its canonical name and `<bytes>:<name>` prefix, a random id. */
interface NameInfo {
  covered: boolean;
  canonical: string;
  prefix: string;
  id: number;
}
const nameCache = new Map<string, NameInfo>();
function nameInfo(name: string): NameInfo {
  let info = nameCache.get(name);
  if (info === undefined) {
    const canonical = name.replace(/\./g, '_');
    info = {
      covered: covered(name),
      canonical,
      prefix: `${byteLen(canonical)}:${canonical}`,
      id: (Math.random() * 0x3fffffff) | 0,
    };
    if (nameCache.size < 10_000) {
      nameCache.set(name, info);
    }
  }
  return info;
}

const FIXED = {
  time: nameInfo('time_unix_nano'),
  severity: nameInfo('severity_text'),
  body: nameInfo('body'),
};

/**
 * Sort order for a sequence of names. Records of one producer come in a few shapes, so the
 * permutation is cached by a signature of the sequence and checked element by element on a hit.
 */
interface Shape {
  infos: NameInfo[];
  perm: number[];
}
const shapeCache = new Map<number, Shape>();
function permutationOf(infos: NameInfo[], sig: number): number[] {
  const hit = shapeCache.get(sig);
  if (hit !== undefined && hit.infos.length === infos.length && hit.infos.every((x, i) => x === infos[i])) {
    return hit.perm;
  }
  const perm = infos.map((_, i) => i).sort((a, b) => compareNames(infos[a].canonical, infos[b].canonical));
  if (shapeCache.size < 1000) {
    shapeCache.set(sig, { infos: [...infos], perm });
  }
  return perm;
}

/** The covered fields of a record in canonical order. */
function collect(rec: CanonicalInput): { infos: NameInfo[]; values: string[]; perm: number[] } {
  const infos: NameInfo[] = [FIXED.time];
  const values: string[] = [timeUnixNano(rec.hrTime)];
  let sig = FIXED.time.id;
  if (typeof rec.severityText === 'string' && rec.severityText.length > 0) {
    infos.push(FIXED.severity);
    values.push(rec.severityText);
    sig = (Math.imul(sig, 31) + FIXED.severity.id) | 0;
  }
  if (typeof rec.body === 'string' && rec.body.length > 0) {
    infos.push(FIXED.body);
    values.push(rec.body);
    sig = (Math.imul(sig, 31) + FIXED.body.id) | 0;
  }
  const attrs = rec.attributes;
  for (const name in attrs) {
    const info = nameInfo(name);
    if (!info.covered) {
      continue;
    }
    const text = valueText(attrs[name]);
    if (text !== undefined) {
      infos.push(info);
      values.push(text);
      sig = (Math.imul(sig, 31) + info.id) | 0;
    }
  }
  return { infos, values, perm: permutationOf(infos, sig) };
}

/** The (name, value) pairs a record's hash covers, in canonical order. */
export function canonicalFields(rec: CanonicalInput): Array<[string, string]> {
  const { infos, values, perm } = collect(rec);
  return perm.map((i) => [infos[i].canonical, values[i]]);
}

/** Canonical text: for each field `<bytes(name)>:<name><bytes(value)>:<value>`, concatenated. Hash its UTF-8. */
export function canonicalString(rec: CanonicalInput): string {
  const { infos, values, perm } = collect(rec);
  let out = '';
  for (let k = 0; k < perm.length; k++) {
    const i = perm[k];
    const v = values[i];
    out += `${infos[i].prefix}${byteLen(v)}:${v}`;
  }
  return out;
}

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;
const hashFn: (data: string) => string =
  typeof oneShot === 'function'
    ? (data) => oneShot('sha256', data, 'hex')
    : (data) => nodeCrypto.createHash('sha256').update(data, 'utf8').digest('hex');

/**
 * A producer's chain key: records hashed with it carry `audit.chain.key_id` = id, and their hash is
 * HMAC-SHA256(secret, canonical form), so no one without the secret can forge an append or an insert.
 */
export interface ChainKey {
  id: string;
  secret: Uint8Array;
}

/**
 * Lowercase hex of the record's hash: HMAC-SHA256 with `secret` when the record is keyed, SHA-256
 * otherwise. The record must already carry audit.chain.prev (and audit.chain.key_id when keyed).
 */
export function canonicalHash(rec: CanonicalInput, secret?: Uint8Array): string {
  if (secret !== undefined) {
    return nodeCrypto.createHmac('sha256', secret).update(canonicalString(rec), 'utf8').digest('hex');
  }
  return hashFn(canonicalString(rec));
}
