import { randomBytes } from 'node:crypto';
import type { KeyStore } from './KeyStore';

/** Keys held in memory (tests, or keys fetched from a KMS at start-up). */
export class InMemoryKeyStore implements KeyStore {
  private readonly _keys = new Map<string, Buffer>();
  private readonly _destroyed = new Set<string>();

  constructor(
    keys: Record<string, Buffer | string> = {},
    private readonly _createMissing = false
  ) {
    for (const [t, k] of Object.entries(keys)) {
      this.setKey(t, k);
    }
  }

  setKey(tenant: string, key: Buffer | string): void {
    const buf = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (buf.length < 16) {
      throw new RangeError('a pseudonymisation key must have at least 16 bytes');
    }
    this._keys.set(tenant, buf);
    this._destroyed.delete(tenant);
  }

  getKey(tenant: string): Buffer | undefined {
    let k = this._keys.get(tenant);
    if (!k && this._createMissing && !this._destroyed.has(tenant)) {
      k = randomBytes(32);
      this._keys.set(tenant, k);
    }
    return k;
  }

  destroyKey(tenant: string): void {
    const k = this._keys.get(tenant);
    k?.fill(0);
    this._keys.delete(tenant);
    this._destroyed.add(tenant);
  }
}
