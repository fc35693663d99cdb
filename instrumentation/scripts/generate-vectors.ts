/**
 * Writes test-vectors/hash-chain.json: records in wire form → canonical text and hash, chained.
 * Run: npm -w instrumentation run vectors. The unit tests check the file against the code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canonicalString, canonicalHash, GENESIS_HASH, CANONICAL_VERSION } from '../src/canonical';

interface VectorInput {
  time_unix_nano: string;
  severity_text?: string;
  body?: string;
  attributes: Record<string, string | number | boolean>;
}

const CHAIN = '0190a5c4-0000-7000-8000-000000000001';
const base = (
  seq: number,
  extra: Record<string, string | number | boolean>
): Record<string, string | number | boolean> => ({
  'audit.chain.id': CHAIN,
  'audit.chain.seq': seq,
  ...extra,
});

const inputs: Array<{ name: string; input: VectorInput }> = [
  {
    name: 'minimal event',
    input: {
      time_unix_nano: '1767225600000000000',
      severity_text: 'INFO',
      body: 'user.created',
      attributes: base(1, {
        'audit.id': '0190a5c4-1111-7000-8000-000000000001',
        'audit.event': 'user.created',
        'audit.category': 'USER_MGMT',
        'audit.action': 'create',
        'audit.outcome': 'success',
        'user.id': 'u-1',
        'audit.actor.type': 'user',
      }),
    },
  },
  {
    name: 'all fields, JSON payloads, compliance tags, uncovered attributes ignored',
    input: {
      time_unix_nano: '1767225600123000000',
      severity_text: 'WARNING',
      body: 'Hardware #142 updated by Ada',
      attributes: base(2, {
        'audit.id': '0190a5c4-1111-7000-8000-000000000002',
        'audit.event': 'hardware.updated',
        'audit.category': 'DATA_MODIFY',
        'audit.action': 'update',
        'audit.outcome': 'success',
        'user.id': 'u-42',
        'user.email': 'ada@example.com',
        'user.name': 'Ada Lovelace',
        'user.roles': 'admin,auditor',
        'audit.actor.type': 'user',
        'audit.target.type': 'hardware',
        'audit.target.id': '142',
        'audit.target.name': 'Hardware #142',
        'audit.changes': '{"before":{"status":"idle","password":"[REDACTED:password]"},"after":{"status":"busy"}}',
        'audit.metadata': '{"ticket":"OPS-7","tags":["a","b"]}',
        'client.address': '203.0.113.9',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
        'session.id': 's-9',
        'audit.request.id': 'req-77',
        'audit.compliance': 'SOX,SOC2',
        'http.route': '/hardware/:id',
        'service.name': 'ignored-here',
      }),
    },
  },
  {
    name: 'non-ASCII text: accents, CJK, emoji (4-byte UTF-8), U+FFFD from a lone surrogate, newline and quote',
    input: {
      time_unix_nano: '1767225601000000001',
      severity_text: 'CRITICAL',
      body: 'Zoë signed in from 東京 🚀\nshe said "hi" \uFFFD',
      attributes: base(3, {
        'audit.id': '0190a5c4-1111-7000-8000-000000000003',
        'audit.event': 'auth.login.succeeded',
        'audit.category': 'AUTH',
        'audit.action': 'login',
        'audit.outcome': 'success',
        'user.id': 'psn:3f1c0e0f3b7a4d7b9c2a1e5f6a7b8c9d',
        'user.name': 'Zoë 東京 🚀',
        'audit.actor.type': 'user',
      }),
    },
  },
  {
    name: 'no body, boolean attribute, empty string attribute left out',
    input: {
      time_unix_nano: '1767225602000000000',
      severity_text: 'ERROR',
      attributes: base(4, {
        'audit.id': '0190a5c4-1111-7000-8000-000000000004',
        'audit.event': 'system.job.failed',
        'audit.category': 'SYSTEM',
        'audit.action': 'run',
        'audit.outcome': 'failure',
        'user.id': 'scheduler',
        'audit.actor.type': 'system',
        'audit.target.name': '',
        'audit.flag': true,
      }),
    },
  },
];

let prev = GENESIS_HASH;
const records = inputs.map(({ name, input }) => {
  const secs = BigInt(input.time_unix_nano) / 1_000_000_000n;
  const nanos = BigInt(input.time_unix_nano) % 1_000_000_000n;
  const attributes = { ...input.attributes, 'audit.chain.prev': prev };
  const rec = {
    hrTime: [Number(secs), Number(nanos)] as [number, number],
    severityText: input.severity_text,
    body: input.body,
    attributes,
  };
  const canonical = canonicalString(rec);
  const hash = canonicalHash(rec);
  const out = {
    name,
    input: { ...input, attributes },
    canonical,
    canonical_utf8_hex: Buffer.from(canonical, 'utf8').toString('hex'),
    hash,
  };
  prev = hash;
  return out;
});

const doc = {
  description:
    'Attest hash chain test vectors. Canonical form: docs/hash-chain.md. Each record’s audit.chain.prev is the previous record’s hash (64 zeros for the first).',
  canonical_version: CANONICAL_VERSION,
  genesis_prev: GENESIS_HASH,
  chain_id: CHAIN,
  records,
};
const file = path.join(__dirname, '..', 'test-vectors', 'hash-chain.json');
fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(`wrote ${records.length} records to ${file}\n`);
