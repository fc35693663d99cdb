import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

export interface FileCheck {
  ok: boolean;
  reason?: string;
  manifest?: { file: { name: string; sha256: string; size: number; rows: number }; chains?: unknown[] };
}

/**
 * Checks an export file against its signed manifest (the backend's Ed25519 key, base64): the
 * signature over the manifest's exact bytes, then the file's SHA-256 and size.
 */
export async function verifyFile(
  filePath: string,
  manifestPath: string,
  signatureB64: string,
  publicKeyB64: string
): Promise<FileCheck> {
  const manifestBytes = fs.readFileSync(manifestPath);
  const key = ed25519Key(publicKeyB64);
  if (!key) {
    return { ok: false, reason: 'the public key is not a base64 Ed25519 key' };
  }
  if (!crypto.verify(null, manifestBytes, key, Buffer.from(signatureB64.trim(), 'base64'))) {
    return { ok: false, reason: "the manifest's signature does not match (manifest altered, or another key)" };
  }
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as NonNullable<FileCheck['manifest']>;
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(filePath)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const sha = hash.digest('hex');
  if (sha !== manifest.file.sha256 || size !== manifest.file.size) {
    return {
      ok: false,
      manifest,
      reason: `the file does not match its manifest (SHA-256 ${sha}, ${size} bytes; manifest says ${manifest.file.sha256}, ${manifest.file.size} bytes)`,
    };
  }
  return { ok: true, manifest };
}

/** An Ed25519 public key from its 32 raw bytes in base64 (undefined when it is not one). */
export function ed25519Key(publicKeyB64: string): crypto.KeyObject | undefined {
  const raw = Buffer.from(publicKeyB64.trim(), 'base64');
  if (raw.length !== 32) {
    return undefined;
  }
  // SPKI DER of an Ed25519 key: a fixed 12-byte prefix, then the raw key.
  return crypto.createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
    format: 'der',
    type: 'spki',
  });
}
