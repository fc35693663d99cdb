import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A data subject's key: `ref` (random, names the key in stored events) and the AES-256 key itself. */
export interface SubjectKey {
  ref: string;
  key: Buffer;
}

/**
 * Per-subject keys for GDPR erasure by crypto-shredding: identities are stored encrypted under their
 * subject's key; erasing a subject deletes its key (and the index that finds it), so its stored
 * identities can no longer be read or linked, while every record and the hash chain stay as they were.
 */
export interface SubjectKeyStore {
  /** The key of the subject any of `identifiers` (a user id, an e-mail) names, made on first use. */
  keyFor(tenant: string, identifiers: readonly string[]): SubjectKey;
}

/** How long a process trusts a key it read before checking it still exists (erased meanwhile). */
export const SUBJECT_KEY_TTL_MS = 30_000;

/** An identifier as indexed: trimmed, e-mail addresses lowercased. */
export const normalizeIdentifier = (s: string): string => {
  const t = s.trim();
  return t.includes('@') ? t.toLowerCase() : t;
};

/**
 * Subject keys in a directory shared by the producers and the app's backend (`subject_keys_dir`):
 *
 *     index.secret                      32 random bytes (hex): names index entries
 *     <sha256(tenant)[:32]>/keys/<ref>  the subject's key (hex), mode 0600
 *     <sha256(tenant)[:32]>/index/<hmac(secret, tenant "\n" identifier)>   the ref
 *
 * The stored events hold only the ref and ciphertexts; the index, keyed by a secret, is the only
 * link from a person to a ref, and erasure removes it with the key (pkg/subjects does it).
 */
export class DirectorySubjectKeyStore implements SubjectKeyStore {
  private readonly _secret: Buffer;
  private readonly _cache = new Map<string, { at: number; key: SubjectKey }>();

  constructor(private readonly _dir: string) {
    fs.mkdirSync(_dir, { recursive: true, mode: 0o700 });
    this._secret = readOrCreate(path.join(_dir, 'index.secret'), () => randomBytes(32).toString('hex'));
  }

  private _tenantDir(tenant: string): string {
    return path.join(this._dir, createHash('sha256').update(tenant).digest('hex').slice(0, 32));
  }

  private _indexFile(tenant: string, identifier: string): string {
    const name = createHmac('sha256', this._secret)
      .update(`${tenant}\n${normalizeIdentifier(identifier)}`)
      .digest('hex');
    return path.join(this._tenantDir(tenant), 'index', name);
  }

  keyFor(tenant: string, identifiers: readonly string[]): SubjectKey {
    const ids = identifiers.filter((i) => i.trim() !== '');
    const cacheKey = `${tenant}\n${ids.map(normalizeIdentifier).join('\n')}`;
    const hit = this._cache.get(cacheKey);
    if (hit && Date.now() - hit.at < SUBJECT_KEY_TTL_MS) {
      return hit.key;
    }
    const keysDir = path.join(this._tenantDir(tenant), 'keys');
    fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(this._tenantDir(tenant), 'index'), { recursive: true, mode: 0o700 });
    let found: SubjectKey | undefined;
    for (const id of ids) {
      const ref = readIfExists(this._indexFile(tenant, id));
      const hex = ref && readIfExists(path.join(keysDir, ref));
      if (ref && hex) {
        found = { ref, key: Buffer.from(hex, 'hex') };
        break;
      }
    }
    if (!found) {
      const ref = randomBytes(16).toString('hex');
      const key = randomBytes(32);
      fs.writeFileSync(path.join(keysDir, ref), key.toString('hex'), { mode: 0o600, flag: 'wx' });
      found = { ref, key };
    }
    for (const id of ids) {
      const file = this._indexFile(tenant, id);
      if (readIfExists(file) !== found.ref) {
        fs.writeFileSync(file, found.ref, { mode: 0o600 });
      }
    }
    this._cache.set(cacheKey, { at: Date.now(), key: found });
    return found;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readOrCreate(file: string, make: () => string): Buffer {
  const existing = readIfExists(file);
  if (existing) {
    return Buffer.from(existing, 'hex');
  }
  try {
    fs.writeFileSync(file, make(), { mode: 0o600, flag: 'wx' });
  } catch {
    // Another process made it first.
  }
  return Buffer.from(readIfExists(file) as string, 'hex');
}
