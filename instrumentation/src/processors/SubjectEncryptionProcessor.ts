import { diag } from '@opentelemetry/api';
import { createCipheriv, createHmac } from 'node:crypto';
import { normalizeIdentifier, type SubjectKey, type SubjectKeyStore } from '../SubjectKeyStore';
import { ATTR } from '../schema';
import { marker } from '../redaction/patterns';
import { AuditStageProcessor, writeAttribute, type MutableLogRecord } from './AuditStageProcessor';

export interface SubjectEncryptionProcessorOptions {
  keyStore: SubjectKeyStore;
  /** Tenant whose subjects these are. */
  tenant: string;
  /** Target types that are people: their target id and name are a subject's too. Default user, person, member, customer, employee. */
  personTargetTypes?: readonly string[];
}

/** The stored subject of the actor and of a person target (refs, not identities). */
export const ATTR_SUBJECT = 'audit.subject';
export const ATTR_TARGET_SUBJECT = 'audit.target.subject';

const PREFIX = 'enc:v1:';

/**
 * Deterministic AES-256-GCM under the subject's key: the IV is an HMAC of the attribute and value, so
 * one person's value always gives one ciphertext (filters and distinct counts keep working) and
 * nothing else is learnt from it. Format `enc:v1:<ref>:<base64url(iv | ciphertext | tag)>`, the
 * attribute name as additional data. pkg/subjects (Go) reads and writes the same.
 */
export function encryptIdentity(k: SubjectKey, attribute: string, value: string): string {
  const v = attribute === ATTR.userEmail ? normalizeIdentifier(value) : value;
  const iv = createHmac('sha256', k.key).update(`${attribute}\n${v}`).digest().subarray(0, 12);
  const c = createCipheriv('aes-256-gcm', k.key, iv);
  c.setAAD(Buffer.from(attribute));
  const body = Buffer.concat([iv, c.update(v, 'utf8'), c.final(), c.getAuthTag()]);
  return `${PREFIX}${k.ref}:${body.toString('base64url')}`;
}

export const isEncrypted = (v: unknown): boolean => typeof v === 'string' && v.startsWith(PREFIX);

/**
 * GDPR erasure by crypto-shredding: the actor's identity (user.id, user.email, user.name,
 * client.address) and a person target's (audit.target.id, audit.target.name) are stored encrypted
 * under the subject's own key, with the subject's ref beside them; the same identities written in the
 * description, changes or metadata are replaced by a placeholder. Erasing the subject deletes its key:
 * its events stay, verify and count, but no longer name anyone. Runs after redaction and compliance
 * tagging, before the hash chain (the chain covers the ciphertexts).
 */
export class SubjectEncryptionProcessor extends AuditStageProcessor {
  private readonly _store: SubjectKeyStore;
  private readonly _tenant: string;
  private readonly _personTypes: readonly string[];

  constructor(options: SubjectEncryptionProcessorOptions) {
    super();
    this._store = options.keyStore;
    this._tenant = options.tenant;
    this._personTypes = options.personTargetTypes ?? ['user', 'person', 'member', 'customer', 'employee'];
  }

  process(record: MutableLogRecord): void {
    const a = record.attributes as Record<string, unknown>;
    const str = (k: string) =>
      typeof a[k] === 'string' && a[k] !== '' && !isEncrypted(a[k]) ? (a[k] as string) : undefined;
    const plain: Array<[string, string]> = [];
    const actorIds = [str(ATTR.userId), str(ATTR.userEmail)].filter((x): x is string => !!x);
    if (actorIds.length > 0) {
      const k = this._key(actorIds);
      writeAttribute(record, ATTR_SUBJECT, k ? k.ref : marker('erased'));
      for (const attr of [ATTR.userId, ATTR.userEmail, ATTR.userName, ATTR.clientAddress]) {
        const v = str(attr);
        if (v !== undefined) {
          plain.push([v, '[subject]']);
          writeAttribute(record, attr, k ? encryptIdentity(k, attr, v) : marker('erased'));
        }
      }
    }
    const targetId = str(ATTR.targetId);
    if (targetId && this._personTypes.includes(String(a[ATTR.targetType] ?? '').toLowerCase())) {
      const k = this._key([targetId]);
      writeAttribute(record, ATTR_TARGET_SUBJECT, k ? k.ref : marker('erased'));
      for (const attr of [ATTR.targetId, ATTR.targetName]) {
        const v = str(attr);
        if (v !== undefined) {
          plain.push([v, '[target]']);
          writeAttribute(record, attr, k ? encryptIdentity(k, attr, v) : marker('erased'));
        }
      }
    }
    // The same identities written as text: the longest first, so an e-mail goes before its user id.
    const names = plain.filter(([v]) => v.length >= 3).sort((x, y) => y[0].length - x[0].length);
    if (names.length === 0) {
      return;
    }
    const patterns = names.map(
      ([v, ph]) => [new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(v)}(?![\\p{L}\\p{N}_])`, 'giu'), ph] as const
    );
    const scrub = (s: string) => patterns.reduce((out, [re, ph]) => out.replace(re, ph), s);
    if (typeof record.body === 'string') {
      record.body = scrub(record.body);
    }
    for (const attr of [ATTR.changes, ATTR.metadata, ATTR.targetName]) {
      const v = a[attr];
      if (typeof v === 'string' && !isEncrypted(v)) {
        writeAttribute(record, attr, scrub(v));
      }
    }
  }

  private _key(identifiers: string[]): SubjectKey | undefined {
    try {
      return this._store.keyFor(this._tenant, identifiers);
    } catch (e) {
      // Never emitted in clear: without a key the identity is dropped.
      diag.error('SubjectEncryptionProcessor: subject key store failed; identities erased from this event', e);
      return undefined;
    }
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
