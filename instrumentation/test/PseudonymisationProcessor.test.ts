import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FileKeyStore } from '../src/FileKeyStore';
import { InMemoryKeyStore } from '../src/InMemoryKeyStore';
import { PseudonymisationProcessor, ERASED_MARKER } from '../src/processors/PseudonymisationProcessor';
import { tmpDir } from './helpers';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const rec = () => ({
  attributes: {
    'user.id': 'u-1',
    'user.email': 'ada@example.com',
    'user.name': 'Ada',
    'audit.action': 'read',
  } as Record<string, string>,
});

describe('PseudonymisationProcessor', () => {
  describe('process', () => {
    it('should replace actor identifiers by stable keyed pseudonyms', () => {
      const ks = new InMemoryKeyStore({ t1: KEY_A });
      const p = new PseudonymisationProcessor({ keyStore: ks, tenant: 't1' });
      const r1 = rec();
      const r2 = rec();
      p.process(r1);
      p.process(r2);
      assert.match(r1.attributes['user.id'], /^psn:[0-9a-f]{32}$/);
      assert.equal(r1.attributes['user.id'], r2.attributes['user.id']);
      assert.notEqual(r1.attributes['user.id'], r1.attributes['user.email']);
      assert.ok(!JSON.stringify(r1).includes('ada@example.com'));
      assert.equal(r1.attributes['audit.action'], 'read');
    });

    it('should give different pseudonyms per tenant key', () => {
      const ks = new InMemoryKeyStore({ t1: KEY_A, t2: KEY_B });
      const a = rec();
      const b = rec();
      new PseudonymisationProcessor({ keyStore: ks, tenant: 't1' }).process(a);
      new PseudonymisationProcessor({ keyStore: ks, tenant: 't2' }).process(b);
      assert.notEqual(a.attributes['user.id'], b.attributes['user.id']);
    });

    it('should erase identities once the key is destroyed (crypto-shredding), never emit them in clear', () => {
      const ks = new InMemoryKeyStore({ t1: KEY_A });
      const p = new PseudonymisationProcessor({ keyStore: ks, tenant: 't1' });
      const before = rec();
      p.process(before);
      ks.destroyKey('t1');
      assert.equal(p.pseudonym('user.id', 'u-1'), undefined);
      const after = rec();
      p.process(after);
      assert.equal(after.attributes['user.id'], ERASED_MARKER);
      assert.equal(after.attributes['user.email'], ERASED_MARKER);
    });
  });

  describe('hostile input', () => {
    it('should pseudonymise any value type and never throw', () => {
      const ks = new InMemoryKeyStore({ t1: KEY_A });
      const p = new PseudonymisationProcessor({ keyStore: ks, tenant: 't1' });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const values: unknown[] = [
        10n,
        circular,
        new Map([['a', 1]]),
        Buffer.from('x'),
        new Date(0),
        'x'.repeat(10 * 1024 * 1024),
        'lone \ud800',
        42,
        JSON.parse('{"__proto__":{"a":1}}'),
      ];
      for (const v of values) {
        const rec = { attributes: { 'user.id': v as never, 'user.email': 'constructor' } };
        assert.doesNotThrow(() => p.process(rec));
        assert.match(String(rec.attributes['user.id']), /^psn:[0-9a-f]{32}$/);
        assert.match(String(rec.attributes['user.email']), /^psn:[0-9a-f]{32}$/);
      }
    });
  });

  describe('FileKeyStore', () => {
    it('should create a key once, reuse it, and shred it for good', () => {
      const dir = tmpDir();
      const ks = new FileKeyStore(dir);
      const k1 = Buffer.from(ks.getKey('tenant-x') as Buffer);
      assert.equal(k1.length, 32);
      assert.deepEqual(new FileKeyStore(dir).getKey('tenant-x'), k1);
      ks.destroyKey('tenant-x');
      assert.equal(ks.getKey('tenant-x'), undefined);
      assert.equal(new FileKeyStore(dir).getKey('tenant-x'), undefined);
      assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith('.key')));
    });
  });
});
