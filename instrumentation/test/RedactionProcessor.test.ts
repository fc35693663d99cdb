import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { RedactionProcessor } from '../src/processors/RedactionProcessor';
import { Redactor } from '../src/redaction/Redactor';
import { luhnValid } from '../src/redaction/patterns';

const r = new Redactor();

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
// Planted secrets, shared with the Collector's redaction processor (collector/attestredaction).
const CASES: Array<[string, string, string]> = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'test-vectors', 'secrets.json'), 'utf8')).cases as Array<{
    kind: string;
    text: string;
    secret: string;
  }>
).map((c) => [c.kind, c.text, c.secret]);

describe('Redactor', () => {
  describe('redactString', () => {
    for (const [kind, text, secret] of CASES) {
      it(`should remove a ${kind}: ${text.slice(0, 40).replace(/\n/g, ' ')}`, () => {
        const out = r.redactString(text);
        assert.ok(!out.includes(secret), `secret still present: ${out}`);
        assert.ok(out.includes(`[REDACTED:${kind}]`), `marker [REDACTED:${kind}] missing: ${out}`);
      });
    }

    it('should cover at least 15 distinct secret kinds', () => {
      assert.ok(new Set(CASES.map((c) => c[0])).size >= 15);
    });

    it('should keep what is not secret', () => {
      for (const s of [
        'user Ada updated Hardware #142',
        'order 12345 shipped to Zoë in 東京 🚀',
        'tokens_used: 1234',
        'ticket 4111 1111 1111 1112 (not Luhn-valid)',
        'https://example.com/items?page=2&sort=asc',
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
        'postgres://db.internal:5432/app',
      ]) {
        assert.equal(r.redactString(s), s);
      }
    });

    it('should keep the connection-string user and host', () => {
      assert.equal(r.redactString('postgres://app:pw12345@db:5432/x'), 'postgres://app:[REDACTED:password]@db:5432/x');
    });

    it('should scan a 10 MB string in linear time and never throw', () => {
      const big = `${'a '.repeat(5 * 1024 * 1024)} ${JWT}`;
      const started = Date.now();
      const out = r.redactString(big);
      assert.ok(out.endsWith('[REDACTED:jwt]'));
      assert.ok(Date.now() - started < 10000);
      assert.doesNotThrow(() => r.redactString('x'.repeat(10 * 1024 * 1024)));
      assert.doesNotThrow(() => r.redactString('1 '.repeat(5 * 1024 * 1024)));
    });

    it('should handle lone surrogates', () => {
      assert.equal(
        r.redactString(`\ud800 Bearer abcdefghijklmnop \udc00`),
        '\ud800 Bearer [REDACTED:bearer_token] \udc00'
      );
    });
  });

  describe('secretFieldKind', () => {
    it('should match secret words in any naming style', () => {
      for (const [name, kind] of [
        ['password', 'password'],
        ['userPassword', 'password'],
        ['db_password', 'password'],
        ['new-passwd', 'password'],
        ['clientSecret', 'secret'],
        ['api_key', 'api_key'],
        ['apiKey', 'api_key'],
        ['X-Api-Key', 'api_key'],
        ['refreshToken', 'token'],
        ['Authorization', 'authorization'],
        ['cookie', 'cookie'],
        ['privateKey', 'private_key'],
        ['cvv', 'card_cvv'],
        ['AWS_SECRET_ACCESS_KEY', 'secret'],
      ]) {
        assert.equal(r.secretFieldKind(name), kind, name);
      }
    });

    it('should not match look-alikes', () => {
      for (const name of ['tokensUsed', 'passenger', 'secretary', 'author', 'keyboard', 'spinner', 'compass']) {
        assert.equal(r.secretFieldKind(name), undefined, name);
      }
    });
  });

  describe('redactJson', () => {
    it('should remove secret-named fields at any depth and secrets in values', () => {
      const text = JSON.stringify({
        before: { user: { credentials: { user: 'a', pass: 'b' }, profile: { db: [{ password: 'p1' }] } } },
        after: { note: `jwt ${JWT}`, nested: { deeper: { deepest: { apiKey: 42 } } }, pin: '1234' },
      });
      const out = r.redactJson(text);
      const parsed = JSON.parse(out);
      assert.equal(parsed.before.user.credentials, '[REDACTED:credential]');
      assert.equal(parsed.before.user.profile.db[0].password, '[REDACTED:password]');
      assert.equal(parsed.after.note, 'jwt [REDACTED:jwt]');
      assert.equal(parsed.after.nested.deeper.deepest.apiKey, '[REDACTED:api_key]');
      assert.equal(parsed.after.pin, '[REDACTED:pin]');
    });

    it('should return clean JSON untouched (same string)', () => {
      const text = '{"before":{"status":"idle"},"after":{"status":"busy"}}';
      assert.equal(r.redactJson(text), text);
    });

    it('should keep __proto__ and constructor keys as data without polluting', () => {
      const out = r.redactJson(
        '{"__proto__":{"password":"x","isAdmin":true},"constructor":{"prototype":{"token":"t"}}}'
      );
      assert.equal(
        out,
        '{"__proto__":{"password":"[REDACTED:password]","isAdmin":true},"constructor":{"prototype":{"token":"[REDACTED:token]"}}}'
      );
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    });

    it('should replace unparseable JSON that names a secret field', () => {
      assert.equal(r.redactJson('{"password": "x"'), '[REDACTED:unparseable]');
    });
  });

  describe('options', () => {
    it('should apply extra patterns and extra field names', () => {
      const custom = new Redactor({
        extraPatterns: [{ kind: 'employee_id', source: 'EMP-\\d{6}' }],
        extraFieldNames: ['ssn', /^internal_/],
      });
      assert.equal(custom.redactString('by EMP-123456'), 'by [REDACTED:employee_id]');
      assert.equal(
        custom.redactJson('{"ssn":"123-45-6789","internal_note":"x","ok":1}'),
        '{"ssn":"[REDACTED:secret]","internal_note":"[REDACTED:secret]","ok":1}'
      );
    });
  });

  it('should keep a UUID whose first groups pass Luhn, and still redact a card beside it', () => {
    const id = '41424219-6433-4899-9796-c74d7c64e568';
    assert.equal(luhnValid('41424219-6433-4899'), true);
    const r = new Redactor();
    assert.equal(r.redactString(`report ${id} deleted`), `report ${id} deleted`);
    assert.equal(r.redactString(`card 4111-1111-1111-1111 beside ${id}`), `card [REDACTED:card_number] beside ${id}`);
  });

  it('should check card numbers with Luhn', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('123'), false);
  });
});

describe('RedactionProcessor', () => {
  function setup() {
    const exporter = new InMemoryLogRecordExporter();
    const processor = new RedactionProcessor();
    const provider = new LoggerProvider({ processors: [processor, new SimpleLogRecordProcessor({ exporter })] });
    return { exporter, processor, provider, logger: provider.getLogger('t') };
  }

  describe('onEmit', () => {
    it('should redact body and attributes in any LoggerProvider', async () => {
      const { exporter, logger, provider } = setup();
      logger.emit({
        body: `login with Bearer abcdefghijklmnop`,
        attributes: {
          'audit.metadata': JSON.stringify({
            headers: { cookie: 'sid=1', authorization: 'Basic abc' },
            url: '/x?token=abc123',
          }),
          'user_agent.original': 'curl/8 AKIAIOSFODNN7EXAMPLE',
          'audit.id': 'kept-as-is',
          'other.attr': { nested: { password: 'x' } },
        },
      });
      await provider.forceFlush();
      const rec = exporter.getFinishedLogRecords()[0];
      assert.equal(rec.body, 'login with Bearer [REDACTED:bearer_token]');
      assert.deepEqual(JSON.parse(rec.attributes['audit.metadata'] as string), {
        headers: { cookie: '[REDACTED:cookie]', authorization: '[REDACTED:authorization]' },
        url: '/x?token=[REDACTED:url_token]',
      });
      assert.equal(rec.attributes['user_agent.original'], 'curl/8 [REDACTED:aws_access_key]');
      assert.equal(rec.attributes['audit.id'], 'kept-as-is');
      assert.deepEqual(rec.attributes['other.attr'], { nested: { password: '[REDACTED:password]' } });
    });

    it('should find secrets whichever single value holds them (joined pre-test)', () => {
      const { processor } = setup();
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ 'audit.metadata': '{"pin":"1234"}' }, 'audit.metadata', '{"pin":"[REDACTED:pin]"}'],
        [
          { 'audit.changes': '{"before":null,"after":{"db":{"userPassword":"x"}}}' },
          'audit.changes',
          '{"before":null,"after":{"db":{"userPassword":"[REDACTED:password]"}}}',
        ],
        [
          { 'audit.target.name': 'x', 'user.name': 'DB_PASSWORD=hunter2' },
          'user.name',
          'DB_PASSWORD=[REDACTED:password]',
        ],
        [{ 'session.id': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdef' }, 'session.id', '[REDACTED:jwt]'],
      ];
      for (const [attributes, key, expected] of cases) {
        const rec = { attributes: { ...attributes }, body: 'nothing here' };
        processor.process(rec);
        assert.equal(rec.attributes[key], expected, key);
      }
      const clean = {
        attributes: { 'audit.metadata': '{"ticket":"OPS-7"}', 'user.name': 'Ada' } as Record<string, string>,
        body: 'ok',
      };
      processor.process(clean);
      assert.deepEqual(clean.attributes, { 'audit.metadata': '{"ticket":"OPS-7"}', 'user.name': 'Ada' });
    });

    it('should never throw, whatever the input', () => {
      const { processor } = setup();
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const hostile = [
        { attributes: { a: circular as never }, body: circular as never },
        { attributes: { 'audit.metadata': '{"a":' + '['.repeat(100000) }, body: 'x'.repeat(10 * 1024 * 1024) },
        { attributes: { 'audit.changes': '\ud800{"password":"\udfff"}', n: 1, b: true, big: 10n as never } },
        {
          attributes: {
            m: new Map([['password', 'x']]) as never,
            d: new Date() as never,
            buf: Buffer.from('x') as never,
          },
        },
        { attributes: JSON.parse('{"__proto__":"x","constructor":"y"}') },
        { attributes: {}, body: undefined },
      ];
      for (const rec of hostile) {
        assert.doesNotThrow(() => processor.process(rec as never));
      }
      assert.equal(({} as Record<string, unknown>).x, undefined);
    });
  });
});
