import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ruleBasedStringify, safeJsonStringify } from '../src/safeJson';

describe('safeJsonStringify', () => {
  it('should serialise hostile values without throwing', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}');
    const text = safeJsonStringify({
      circular,
      big: 12345678901234567890n,
      date: new Date('2026-01-01T00:00:00Z'),
      bad: new Date(NaN),
      buf: Buffer.from('secret-bytes'),
      map: new Map<unknown, unknown>([
        ['k', 'v'],
        [1, 2],
      ]),
      set: new Set([1, 2]),
      lone: 'a\ud800b',
      nan: NaN,
      inf: -Infinity,
      fn: () => 1,
      sym: Symbol('s'),
      undef: undefined,
      arr: [undefined, () => 1],
      err: new Error('boom'),
      proto,
    });
    const parsed = JSON.parse(text);
    assert.equal(parsed.circular.self, '[circular]');
    assert.equal(parsed.big, '12345678901234567890');
    assert.equal(parsed.date, '2026-01-01T00:00:00.000Z');
    assert.equal(parsed.bad, 'Invalid Date');
    assert.equal(parsed.buf, '[binary 12 bytes]');
    assert.deepEqual(parsed.map, { k: 'v', 1: 2 });
    assert.deepEqual(parsed.set, [1, 2]);
    assert.equal(parsed.lone, 'a\ufffdb');
    assert.ok(text.isWellFormed());
    assert.equal(parsed.nan, 'NaN');
    assert.equal(parsed.inf, '-Infinity');
    assert.ok(!('fn' in parsed) && !('sym' in parsed) && !('undef' in parsed));
    assert.deepEqual(parsed.arr, [null, null]);
    assert.deepEqual(parsed.err, { name: 'Error', message: 'boom' });
    assert.ok(text.includes('"__proto__":{"polluted":true}'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('should use the native serialiser for plain values, escaping lone surrogates', () => {
    const v = { a: 'x', n: [1, 2, { b: true }], lone: 'a\ud800b' };
    const text = safeJsonStringify(v);
    assert.equal(text, JSON.stringify(v));
    assert.ok(text.isWellFormed());
  });

  it('should cut deep nesting at maxDepth (rule-based path)', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10000; i++) {
      deep.n = {};
      deep = deep.n as Record<string, unknown>;
    }
    const text = ruleBasedStringify(root, { maxDepth: 8 });
    assert.ok(text.includes('"[truncated]"'));
    assert.ok(text.length < 200);
  });

  it('should turn throwing getters, toJSON and proxies into [unserializable]', () => {
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      }
    );
    const parsed = JSON.parse(
      safeJsonStringify({
        getter,
        proxy,
        tj: {
          toJSON: () => {
            throw new Error('x');
          },
        },
      })
    );
    assert.equal(parsed.getter.x, '[unserializable]');
    assert.equal(parsed.proxy, '[unserializable]');
    assert.equal(parsed.tj, '[unserializable]');
  });

  it('should stop early when the output exceeds maxLength', () => {
    assert.throws(() => safeJsonStringify({ s: 'x'.repeat(10 * 1024 * 1024) }, { maxLength: 1000 }), /exceeds 1000/);
  });
});
