import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { KeyStore } from './KeyStore';

/**
 * One key file per tenant in `dir` (mode 0600), created on first use. `destroyKey` overwrites the
 * file with random bytes, fsyncs and unlinks it, and leaves a tombstone so the key is never recreated.
 */
export class FileKeyStore implements KeyStore {
  private readonly _cache = new Map<string, Buffer>();

  constructor(private readonly _dir: string) {
    fs.mkdirSync(_dir, { recursive: true, mode: 0o700 });
  }

  private _file(tenant: string, ext: string): string {
    const name = createHash('sha256').update(tenant).digest('hex').slice(0, 32);
    return path.join(this._dir, `${name}.${ext}`);
  }

  getKey(tenant: string): Buffer | undefined {
    const cached = this._cache.get(tenant);
    if (cached) {
      return cached;
    }
    if (fs.existsSync(this._file(tenant, 'destroyed'))) {
      return undefined;
    }
    const file = this._file(tenant, 'key');
    let key: Buffer;
    try {
      key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    } catch {
      key = randomBytes(32);
      try {
        fs.writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
      } catch {
        // Another process created it first: use theirs.
        key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
      }
    }
    this._cache.set(tenant, key);
    return key;
  }

  destroyKey(tenant: string): void {
    const file = this._file(tenant, 'key');
    try {
      const fd = fs.openSync(file, 'r+');
      const size = fs.fstatSync(fd).size;
      fs.writeSync(fd, randomBytes(Math.max(size, 64)), 0, Math.max(size, 64), 0);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.unlinkSync(file);
    } catch {
      // No key file: nothing to shred.
    }
    fs.writeFileSync(this._file(tenant, 'destroyed'), new Date().toISOString());
    this._cache.get(tenant)?.fill(0);
    this._cache.delete(tenant);
  }
}
