import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { type CanonicalInput } from '../canonical';
import { ATTR } from '../schema';
import { ed25519Key } from './verifyFile';

/**
 * The Attest backend's signed chain-head digests (pkg/integrity/digest.go): one file per tenant and
 * period in a write-once bucket, two JSON lines — the digest, then {"signature"} over exactly the
 * first line's bytes — each naming the file before it by SHA-256.
 */
interface Digest {
  tenant: string;
  endNs: number;
  created: string;
  previous: { key: string; sha256: string } | null;
  chains: Record<string, { service?: string; seq: number; hash: string; timeNs: number }>;
  keyId: string;
  publicKey: string;
}

export interface DigestProblem {
  chainId: string;
  seq: number;
  problem: 'truncated' | 'rewritten' | 'deleted' | 'digest_signature' | 'digest_chain';
  detail: string;
}

export interface DigestCheck {
  read: number;
  /** Heads named by the digests that fall in the range, and how many Loki still holds as named. */
  checked: number;
  matched: number;
  problems: DigestProblem[];
  /** The public keys the digests were signed with. */
  keys: string[];
}

/** Every digest file under dir (a copy of the bucket's digests/<tenant>/ folder), in time order. */
export function readDigestDir(dir: string): Array<{ name: string; bytes: Buffer }> {
  const out: Array<{ name: string; bytes: Buffer }> = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.name.endsWith('.json')) {
        out.push({ name: path.relative(dir, p), bytes: fs.readFileSync(p) });
      }
    }
  };
  walk(dir);
  // Folders are YYYY/MM/DD and names the period's end: path order is time order.
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/**
 * Checks the digests (signatures, links, and `publicKey` when given) and compares every head they
 * name in [fromNs, toNs) with the records read: a head Loki no longer holds, or holds with another
 * hash, is found even when the backend's own heads are lost. With `services`, only heads of those.
 */
export function checkDigests(
  files: ReadonlyArray<{ name: string; bytes: Buffer }>,
  records: readonly CanonicalInput[],
  opts: { tenant: string; fromNs: bigint; toNs: bigint; publicKey?: string; services?: ReadonlySet<string> }
): DigestCheck {
  const res: DigestCheck = { read: 0, checked: 0, matched: 0, problems: [], keys: [] };
  const heads = new Map<string, Digest['chains'][string] & { seen: string }>();
  let prev: Buffer | undefined;
  for (const f of files) {
    const nl = f.bytes.indexOf(0x0a);
    let d: Digest;
    let signature: string;
    try {
      d = JSON.parse(f.bytes.subarray(0, nl).toString('utf8')) as Digest;
      signature = (JSON.parse(f.bytes.subarray(nl + 1).toString('utf8')) as { signature: string }).signature;
    } catch {
      res.problems.push({ chainId: '', seq: 0, problem: 'digest_signature', detail: `${f.name} is not a digest file` });
      continue;
    }
    if (d.tenant !== opts.tenant) {
      continue;
    }
    res.read++;
    if (!res.keys.includes(d.publicKey)) {
      res.keys.push(d.publicKey);
    }
    const key = ed25519Key(d.publicKey);
    const signed =
      nl > 0 &&
      key !== undefined &&
      crypto.verify(null, f.bytes.subarray(0, nl), key, Buffer.from(signature, 'base64'));
    if (!signed || (opts.publicKey !== undefined && d.publicKey !== opts.publicKey.trim())) {
      res.problems.push({
        chainId: '',
        seq: 0,
        problem: 'digest_signature',
        detail: `${f.name}: ${signed ? 'signed by another key than the one given' : 'its signature does not match its content'}`,
      });
      prev = f.bytes;
      continue;
    }
    if (prev !== undefined && d.previous?.sha256 !== sha256(prev)) {
      res.problems.push({
        chainId: '',
        seq: 0,
        problem: 'digest_chain',
        detail: `${f.name} does not name the digest before it: a digest was removed or replaced`,
      });
    }
    prev = f.bytes;
    for (const [id, h] of Object.entries(d.chains ?? {})) {
      if (BigInt(h.timeNs) >= opts.toNs || (opts.services && !opts.services.has(h.service ?? ''))) {
        continue;
      }
      const old = heads.get(id);
      if (!old || h.seq > old.seq) {
        heads.set(id, { ...h, seen: d.created });
      }
    }
  }
  const stored = new Map<string, string[]>();
  const last = new Map<string, number>();
  for (const r of records) {
    const id = r.attributes[ATTR.chainId];
    const seq = Number(r.attributes[ATTR.chainSeq]);
    if (typeof id !== 'string' || !Number.isSafeInteger(seq)) {
      continue;
    }
    const k = `${id}\u0000${seq}`;
    stored.set(k, [...(stored.get(k) ?? []), String(r.attributes[ATTR.chainHash] ?? '')]);
    last.set(id, Math.max(last.get(id) ?? 0, seq));
  }
  for (const [id, h] of heads) {
    if (BigInt(h.timeNs) < opts.fromNs) {
      continue;
    }
    res.checked++;
    const hashes = stored.get(`${id}\u0000${h.seq}`);
    if (hashes?.includes(h.hash)) {
      res.matched++;
    } else if (hashes) {
      res.problems.push({
        chainId: id,
        seq: h.seq,
        problem: 'rewritten',
        detail: `a digest of ${h.seen} names hash ${h.hash}; Loki holds another record there`,
      });
    } else if ((last.get(id) ?? 0) < h.seq) {
      res.problems.push({
        chainId: id,
        seq: h.seq,
        problem: 'truncated',
        detail: `a digest of ${h.seen} names seq ${h.seq}; Loki now ends at seq ${last.get(id) ?? 0}`,
      });
    } else {
      res.problems.push({
        chainId: id,
        seq: h.seq,
        problem: 'deleted',
        detail: `seq ${h.seq}, named by a digest of ${h.seen}, is gone`,
      });
    }
  }
  return res;
}
