import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { canonicalHash, canonicalString, GENESIS_HASH } from '../src/canonical';
import { HashChainProcessor } from '../src/processors/HashChainProcessor';

interface Vector {
  name: string;
  input: {
    time_unix_nano: string;
    severity_text?: string;
    body?: string;
    attributes: Record<string, string | number | boolean>;
  };
  canonical: string;
  canonical_utf8_hex: string;
  hash: string;
}
const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test-vectors', 'hash-chain.json'), 'utf8')) as {
  genesis_prev: string;
  records: Vector[];
};

const toRecord = (v: Vector['input']) => ({
  hrTime: [Number(BigInt(v.time_unix_nano) / 1_000_000_000n), Number(BigInt(v.time_unix_nano) % 1_000_000_000n)] as [
    number,
    number,
  ],
  severityText: v.severity_text,
  body: v.body,
  attributes: { ...v.attributes },
});

/** Independent implementation of docs/hash-chain.md, written from the spec, over bytes. */
function specHash(v: Vector['input']): string {
  const pairs: Array<[Buffer, Buffer]> = [];
  const add = (k: string, val: string) => pairs.push([Buffer.from(k, 'utf8'), Buffer.from(val, 'utf8')]);
  add('time_unix_nano', v.time_unix_nano);
  if (v.severity_text) add('severity_text', v.severity_text);
  if (v.body) add('body', v.body);
  for (const [k, val] of Object.entries(v.attributes)) {
    if (!/^(audit|user|user_agent|client|session)\./.test(k) || k === 'audit.chain.hash') continue;
    if (val === '' || (typeof val === 'number' && !Number.isInteger(val))) continue;
    add(k.split('.').join('_'), String(val));
  }
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [];
  for (const [k, val] of pairs) {
    parts.push(Buffer.from(`${k.length}:`), k, Buffer.from(`${val.length}:`), val);
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

describe('HashChainProcessor', () => {
  describe('test vectors', () => {
    it('should reproduce every canonical form and hash in test-vectors/hash-chain.json', () => {
      assert.ok(vectors.records.length >= 4);
      let prev = vectors.genesis_prev;
      for (const v of vectors.records) {
        assert.equal(v.input.attributes['audit.chain.prev'], prev, `${v.name}: prev`);
        const rec = toRecord(v.input);
        assert.equal(canonicalString(rec), v.canonical, v.name);
        assert.equal(Buffer.from(v.canonical, 'utf8').toString('hex'), v.canonical_utf8_hex, v.name);
        assert.equal(canonicalHash(rec), v.hash, v.name);
        assert.equal(specHash(v.input), v.hash, `${v.name}: independent implementation`);
        prev = v.hash;
      }
    });
  });

  describe('hostile input', () => {
    it('should hash any record without throwing, covering only string/integer/boolean values', () => {
      const chain = new HashChainProcessor({ chainId: 'c' });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const big = 'x'.repeat(10 * 1024 * 1024);
      const records = [
        {
          hrTime: [1, 2] as [number, number],
          body: 'lone \ud800',
          attributes: { 'audit.metadata': circular as never, 'audit.big': 10n as never },
        },
        {
          hrTime: [1, 2] as [number, number],
          body: big,
          attributes: {
            'audit.m': new Map() as never,
            'audit.d': new Date() as never,
            'audit.b': Buffer.from('x') as never,
          },
        },
        {
          hrTime: [0, 0] as [number, number],
          attributes: JSON.parse('{"__proto__":"p","constructor":"c","audit.x":"y"}'),
        },
        {
          hrTime: [1.5, NaN] as [number, number],
          body: { nested: true } as never,
          attributes: { 'audit.n': 1.5, 'audit.i': -3 },
        },
      ];
      for (const r of records) {
        assert.doesNotThrow(() => chain.process(r));
        assert.match(String(r.attributes['audit.chain.hash']), /^[0-9a-f]{64}$/);
      }
      // A lone surrogate hashes as U+FFFD (what UTF-8 encoding, and a Go JSON decoder, produce).
      const a = { hrTime: [1, 0] as [number, number], body: 'a\ud800', attributes: {} };
      const b = { hrTime: [1, 0] as [number, number], body: 'a\ufffd', attributes: {} };
      assert.equal(canonicalHash(a), canonicalHash(b));
      assert.ok(!String(canonicalString(records[2] as never)).includes('__proto__'));
    });
  });

  describe('onEmit', () => {
    function setup(options = {}) {
      const exporter = new InMemoryLogRecordExporter();
      const chain = new HashChainProcessor({ chainId: 'c-1', ...options });
      const provider = new LoggerProvider({ processors: [chain, new SimpleLogRecordProcessor({ exporter })] });
      return { exporter, chain, provider, logger: provider.getLogger('t') };
    }

    it('should link records: seq 1.., prev = previous hash, genesis 64 zeros', async () => {
      const { exporter, logger, provider, chain } = setup();
      for (let i = 0; i < 5; i++) {
        logger.emit({ body: `e${i}`, severityText: 'INFO', attributes: { 'audit.id': `id-${i}`, 'http.route': '/x' } });
      }
      await provider.forceFlush();
      const recs = exporter.getFinishedLogRecords();
      assert.equal(recs.length, 5);
      let prev = GENESIS_HASH;
      recs.forEach((r, i) => {
        assert.equal(r.attributes['audit.chain.id'], 'c-1');
        assert.equal(r.attributes['audit.chain.seq'], i + 1);
        assert.equal(r.attributes['audit.chain.prev'], prev);
        assert.equal(r.attributes['audit.chain.hash'], canonicalHash(r));
        prev = r.attributes['audit.chain.hash'] as string;
      });
      assert.deepEqual(chain.head, { seq: 5, hash: prev });
    });

    it('should make tampering detectable', async () => {
      const { exporter, logger, provider } = setup();
      logger.emit({ body: 'grant admin to bob', attributes: { 'user.id': 'alice' } });
      await provider.forceFlush();
      const r = exporter.getFinishedLogRecords()[0];
      const view = { hrTime: r.hrTime, severityText: r.severityText, body: r.body };
      const tampered = { ...view, attributes: { ...r.attributes, 'user.id': 'mallory' } };
      assert.notEqual(canonicalHash(tampered), r.attributes['audit.chain.hash']);
      const uncovered = { ...view, attributes: { ...r.attributes, 'http.route': '/y' } };
      assert.equal(canonicalHash(uncovered), r.attributes['audit.chain.hash']);
    });

    it('should leave prev/hash to seal() in deferred mode, with the same result', async () => {
      const a = setup({ deferred: true });
      const b = setup();
      for (const s of [a, b]) {
        s.logger.emit({ body: 'x', timestamp: 1700000000000, attributes: { 'audit.id': '1' } });
        s.logger.emit({ body: 'y', timestamp: 1700000000001, attributes: { 'audit.id': '2' } });
        await s.provider.forceFlush();
      }
      const ra = a.exporter.getFinishedLogRecords();
      assert.equal(ra[0].attributes['audit.chain.hash'], undefined);
      assert.equal(ra[1].attributes['audit.chain.seq'], 2);
      ra.forEach((r) => a.chain.seal(r as never));
      const rb = b.exporter.getFinishedLogRecords();
      assert.equal(ra[1].attributes['audit.chain.hash'], rb[1].attributes['audit.chain.hash']);
    });
  });
});

describe('HashChainProcessor with a chain key', () => {
  it('hashes with HMAC under the key, names it on every record, and rotates without a break', async () => {
    const { verifyChain } = await import('../src/verifyChain');
    const k1 = { id: 'k1', secret: Buffer.from('one key of thirty-two bytes .....') };
    const k2 = { id: 'k2', secret: Buffer.from('two key of thirty-two bytes .....') };
    const chain = new HashChainProcessor({ chainId: 'keyed', key: k1 });
    const recs = Array.from({ length: 6 }, (_, i) => ({
      hrTime: [1767225600 + i, 0] as [number, number],
      severityText: 'INFO',
      body: `event ${i}`,
      attributes: { 'audit.id': `e-${i}`, 'audit.event': 'user.updated' } as Record<string, string | number>,
    }));
    recs.forEach((r, i) => {
      if (i === 3) {
        chain.rotateKey(k2);
      }
      chain.assign(r as never);
      chain.seal(r as never);
    });
    assert.deepEqual(
      recs.map((r) => r.attributes['audit.chain.key_id']),
      ['k1', 'k1', 'k1', 'k2', 'k2', 'k2']
    );
    assert.equal(recs[0].attributes['audit.chain.hash'], canonicalHash(recs[0], k1.secret));
    const keys = { k1: k1.secret, k2: k2.secret };
    assert.equal(verifyChain(recs, { keys }).ok, true);
    // Without the keys nothing can be checked; with one key, the other half cannot.
    assert.deepEqual(
      verifyChain(recs, { keys: { k1: k1.secret } }).problems.map((p) => [p.seq, p.problem]),
      [
        [4, 'unknown_key'],
        [5, 'unknown_key'],
        [6, 'unknown_key'],
      ]
    );
  });
});

describe('no false break', () => {
  it('100,000 clean keyed records across a key rotation, a producer restart and a spool replay verify', async () => {
    const { verifyChain } = await import('../src/verifyChain');
    const k1 = { id: 'r1', secret: Buffer.from('rotation key one, thirty-two b!!') };
    const k2 = { id: 'r2', secret: Buffer.from('rotation key two, thirty-two b!!') };
    const recs: Array<{
      hrTime: [number, number];
      severityText: string;
      body: string;
      attributes: Record<string, string | number>;
    }> = [];
    // Two producer lifetimes (a restart starts a new chain), the first rotating its key halfway.
    for (const [chainId, n] of [
      ['life-1', 60_000],
      ['life-2', 40_000],
    ] as const) {
      const chain = new HashChainProcessor({ chainId, key: k1 });
      for (let i = 0; i < n; i++) {
        if (chainId === 'life-1' && i === 30_000) {
          chain.rotateKey(k2);
        }
        const r = {
          hrTime: [1767225600 + Math.floor(i / 100), (i % 100) * 1000] as [number, number],
          severityText: 'INFO',
          body: `event ${i}`,
          attributes: {
            'audit.id': `${chainId}-${i}`,
            'audit.event': 'user.updated',
            'user.id': `u-${i % 50}`,
          } as Record<string, string | number>,
        };
        chain.assign(r as never);
        chain.seal(r as never);
        recs.push(r);
      }
    }
    // A spool replay delivers the last 500 records of the first lifetime again.
    recs.push(...recs.slice(59_500, 60_000));
    const res = verifyChain(recs, { keys: { r1: k1.secret, r2: k2.secret }, requireKeyed: true });
    assert.deepEqual(res.problems, []);
    assert.equal(res.checked, 100_000);
    assert.equal(res.duplicates.length, 500);
    assert.deepEqual(
      res.chains.map((c) => [c.chainId, c.first, c.last]),
      [
        ['life-1', 1, 60_000],
        ['life-2', 1, 40_000],
      ]
    );
  });
});
