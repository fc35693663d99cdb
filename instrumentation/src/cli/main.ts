#!/usr/bin/env node
/**
 * npx @attest/otel-audit verify …
 *   --loki URL --tenant T [--from TIME] [--to TIME] [--selector SEL] [--user U --password P | --token T]
 *       [--keys keys.json …] [--require-keyed] [--from-start] [--json]
 *     verifies the hash chains of a tenant's trail in Loki. TIME: ISO 8601, epoch ms, or an age (30m, 24h, 7d).
 *     keys.json: the producers' chain keys, {"<audit.chain.key_id>": "<hex secret>"}.
 *       [--digests DIR [--digest-key K|@file]]
 *     also compares the range with the backend's signed chain-head digests: DIR is a copy of the digest
 *     bucket's digests/<tenant>/ folder (aws s3 sync s3://<bucket>/digests/<tenant> DIR); K is the
 *     backend's public key (GET …/resources/exports/public-key), required to match every digest.
 *   --file F --manifest M --signature S|@file --public-key K|@file
 *     checks an export file against its signed manifest, offline.
 * Exit code 0: verified; 1: a break or a mismatch (the first one printed); 2: bad usage or an error.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

import { verifyChain } from '../verifyChain';
import { checkDigests, readDigestDir } from './verifyDigests';
import { verifyFile } from './verifyFile';
import { readLoki } from './verifyLoki';

export const USAGE = `usage:
  otel-audit verify --loki URL --tenant T [--from TIME] [--to TIME] [--selector SEL]
                    [--user U --password P | --token T] [--keys keys.json …] [--require-keyed]
                    [--from-start] [--digests DIR [--digest-key K|@file]] [--json]
  otel-audit verify --file F --manifest M --signature S|@file --public-key K|@file`;

/** ISO 8601, epoch milliseconds, or an age (30m, 24h, 7d) before now. */
export function parseTime(s: string, now = Date.now()): bigint {
  const ago = /^(\d+)([smhd])$/.exec(s);
  if (ago) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[ago[2] as 's' | 'm' | 'h' | 'd'];
    return BigInt(now - Number(ago[1]) * unit) * 1_000_000n;
  }
  if (/^\d{10,13}$/.test(s)) {
    return BigInt(s) * 1_000_000n;
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    throw new Error(`not a time: ${s}`);
  }
  return BigInt(t) * 1_000_000n;
}

/** Chain keys from JSON files of {"<key id>": "<hex secret>"}. */
export function readKeys(files: readonly string[]): Record<string, Buffer> {
  const keys: Record<string, Buffer> = {};
  for (const f of files) {
    const parsed = JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
    for (const [id, hex] of Object.entries(parsed)) {
      if (typeof hex !== 'string' || !/^([0-9a-f]{2}){16,}$/i.test(hex)) {
        throw new Error(`${f}: key ${id} is not a hex secret of at least 16 bytes`);
      }
      keys[id] = Buffer.from(hex, 'hex');
    }
  }
  return keys;
}

const readArg = (v: string) => (v.startsWith('@') ? fs.readFileSync(v.slice(1), 'utf8').trim() : v);

export async function main(argv: string[], print: (s: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      loki: { type: 'string' },
      tenant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      selector: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      token: { type: 'string' },
      'from-start': { type: 'boolean' },
      keys: { type: 'string', multiple: true },
      'require-keyed': { type: 'boolean' },
      json: { type: 'boolean' },
      file: { type: 'string' },
      manifest: { type: 'string' },
      signature: { type: 'string' },
      'public-key': { type: 'string' },
      digests: { type: 'string' },
      'digest-key': { type: 'string' },
    },
  });
  if (positionals[0] !== 'verify') {
    print(USAGE);
    return 2;
  }
  if (values.file !== undefined) {
    if (!values.manifest || !values.signature || !values['public-key']) {
      print(USAGE);
      return 2;
    }
    const res = await verifyFile(
      values.file,
      values.manifest,
      readArg(values.signature),
      readArg(values['public-key'])
    );
    print(
      res.ok
        ? `verified: ${values.file} matches its signed manifest (${res.manifest?.file.rows} rows, SHA-256 ${res.manifest?.file.sha256})`
        : `NOT VERIFIED: ${res.reason}`
    );
    return res.ok ? 0 : 1;
  }
  if (!values.loki || !values.tenant) {
    print(USAGE);
    return 2;
  }
  const toNs = values.to ? parseTime(values.to) : BigInt(Date.now() + 60_000) * 1_000_000n;
  const fromNs = values.from ? parseTime(values.from) : toNs - 24n * 3_600_000_000_000n;
  const records = await readLoki({
    url: values.loki,
    tenant: values.tenant,
    selector: values.selector ?? '{service_name=~".+"}',
    fromNs,
    toNs,
    user: values.user,
    password: values.password,
    token: values.token,
  });
  const res = verifyChain(records, {
    fromStart: values['from-start'] === true,
    keys: readKeys(values.keys ?? []),
    requireKeyed: values['require-keyed'] === true,
  });
  const selector = values.selector ?? '{service_name=~".+"}';
  const digests =
    values.digests === undefined
      ? undefined
      : checkDigests(readDigestDir(values.digests), records, {
          tenant: values.tenant,
          fromNs,
          toNs,
          publicKey: values['digest-key'] === undefined ? undefined : readArg(values['digest-key']),
          // A narrower selector checks only the heads of the services it read.
          services:
            selector === '{service_name=~".+"}'
              ? undefined
              : new Set(records.map((r) => r.stream?.service ?? '').filter((s) => s !== '')),
        });
  const ok = res.ok && (digests === undefined || digests.problems.length === 0);
  if (values.json) {
    print(JSON.stringify(digests ? { ...res, ok, digests } : res));
  } else {
    print(
      `${res.chains.length} chains, ${res.checked} records checked, ${res.duplicates.length} duplicated positions, ${res.problems.length} problems${res.unchained > 0 ? `; ${res.unchained} unchained (no chain fields: not verifiable)` : ''}`
    );
    const first = res.problems[0];
    print(
      first
        ? `first break: chain ${first.chainId} seq ${first.seq}: ${first.problem} (${first.detail})${first.id ? ` audit.id ${first.id}` : ''}`
        : 'verified: every chain is intact in the range'
    );
    if (digests) {
      print(
        `digests: ${digests.read} read, ${digests.checked} heads in the range, ${digests.matched} still in Loki as named, ${digests.problems.length} problems`
      );
      for (const d of digests.problems.slice(0, 10)) {
        print(`digest finding: ${d.chainId ? `chain ${d.chainId} seq ${d.seq}: ` : ''}${d.problem} (${d.detail})`);
      }
    }
  }
  return ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(2);
    }
  );
}
