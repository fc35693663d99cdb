// Hostile search strings through the backend's routes on the real Grafana and Loki: every query built
// from them must run (HTTP 200) and match exactly the events that contain the literal text, nothing
// more, nothing less; what cannot be written as LogQL is refused with a 400 before Loki.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  countEvents,
  makeEvent,
  msToNs,
  pageAll,
  pushAll,
  rawQuery,
  rng,
  searchFinds,
  uniqueRegion,
  waitForCount,
} from './helpers.mjs';

const HOSTILE = [
  '"',
  'say "hi"',
  '\\',
  'C:\\temp\\new',
  '\\"',
  '\\\\"',
  '`',
  'rm `ls`',
  '|',
  'a | b',
  '|= "x"',
  '}',
  '"} or {service_name=~".+"',
  '} | drop audit_id |= "',
  '{{__line__}}',
  '{{ .audit_id }}',
  '.*',
  'a.b',
  '(x)',
  '[abc]',
  '^start',
  'end$',
  'a+b?',
  '\\d+',
  '(?i)',
  'line1\nline2',
  'crlf\r\nend',
  'tab\there',
  'ls\u2028sep',
  'ps\u2029sep',
  'nel\u0085x',
  '😀 emoji',
  'chloé',
  '%s %d %%',
  "' OR 1=1 --",
  '\\u0041',
  '\\x41',
  '$(rm -rf)',
  '/* c */',
  '#',
];

/** Decoys: look-alikes that a wrongly escaped query would also match. */
const DECOYS = [
  'aXb',
  'x',
  'abc',
  'a',
  'start',
  'end',
  'aab',
  '123',
  'line1 line2',
  'tab here',
  'C:tempnew',
  'd+',
  'rm ls',
];

const matches = searchFinds;

describe('hostile strings through the backend', () => {
  const region = uniqueRegion('query-hostile');
  const mine = { region };
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  const startMs = endMs - 3_600_000;
  const range = { startNs: msToNs(startMs), endNs: msToNs(endMs) };
  const events = [];

  before(async () => {
    const r = rng(42);
    let ms = startMs + 1000;
    const add = (body, patch = () => {}) => {
      const e = makeEvent(r, { timeMillis: ms });
      ms += 1000;
      e.body = body;
      patch(e);
      events.push(e);
    };
    HOSTILE.forEach((h, i) => add(`event ${i} before ${h} after`));
    DECOYS.forEach((d, i) => add(`decoy ${i}: ${d}`));
    // Hostile values in the other filterable fields.
    add('hostile actor', (e) => {
      e.attributes['user.id'] = 'u-"} |= "x';
      e.attributes['user.email'] = 'weird.+*@Example.COM';
    });
    add('hostile target', (e) => {
      e.attributes['audit.target.type'] = 'type`with`ticks';
      e.attributes['audit.target.id'] = 'id\\with\\backslashes"and"quotes';
    });
    add('hostile event type', (e) => {
      e.attributes['audit.event'] = 'custom.event|with}{pipes';
    });
    add('hostile service', (e) => {
      e.service = { name: 'svc"}, {a=~".+', environment: 'production' };
    });
    await pushAll(events, region);
    await waitForCount(mine, range, events.length);
  });

  it('loaded every event', async () => {
    assert.equal(await countEvents(mine, range), events.length);
  });

  for (const needle of [...HOSTILE, 'EVENT 1 BEFORE', 'CHLOÉ']) {
    it(`search ${JSON.stringify(needle)} parses and matches only the literal text`, async () => {
      const expected = events
        .filter((e) => matches(e, needle))
        .map((e) => e.attributes['audit.id'])
        .sort();
      const { pages } = await pageAll({ ...mine, search: needle }, range, 50);
      const got = pages.flatMap((p) => p.events.map((e) => e.id)).sort();
      assert.deepEqual(got, expected, pages[0].query);
      assert.equal(await countEvents({ ...mine, search: needle }, range), expected.length);
    });
  }

  it('a search for text that is nowhere (NUL, BOM) runs and matches nothing', async () => {
    for (const needle of ['nul\u0000x', '\ufeffbom']) {
      const { pages } = await pageAll({ ...mine, search: needle }, range);
      assert.equal(pages[0].events.length, 0);
    }
  });

  const base = `from=${range.startNs}&to=${range.endNs}&region=${encodeURIComponent(region)}`;
  for (const [name, qs] of [
    ['a NUL in an exact-match filter', 'actor=a%00'],
    ['a lone surrogate (invalid UTF-8)', 'search=x%ED%A0%80'],
  ]) {
    it(`${name} is refused with a 400 before Loki`, async () => {
      for (const path of ['events', 'events/count', 'overview']) {
        const res = await rawQuery(path, `${base}&${qs}`);
        assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
        assert.equal(typeof res.body.error, 'string');
        assert.equal(typeof res.body.message, 'string');
      }
    });
  }

  const exact = [
    ['actor id', { actor: 'u-"} |= "x' }, 'hostile actor'],
    ['actor email, other case', { actor: 'WEIRD.+*@example.com' }, 'hostile actor'],
    [
      'target type and id',
      { targetType: 'type`with`ticks', targetId: 'id\\with\\backslashes"and"quotes' },
      'hostile target',
    ],
    ['event type', { eventType: 'custom.event|with}{pipes' }, 'hostile event type'],
    ['service', { service: 'svc"}, {a=~".+' }, 'hostile service'],
  ];
  for (const [name, filters, body] of exact) {
    it(`hostile ${name} matches exactly its event`, async () => {
      const { pages } = await pageAll({ ...mine, ...filters }, range);
      assert.deepEqual(
        pages.flatMap((p) => p.events.map((e) => e.description)),
        [body]
      );
    });
  }

  it('control characters in exact-match filters parse and match nothing', async () => {
    for (const filters of [{ actor: 'bel\u0007' }, { targetId: 'x\u2028\u0085y' }, { eventType: 'tab\tnewline\n' }]) {
      const { pages } = await pageAll({ ...mine, ...filters }, range);
      assert.equal(pages[0].events.length, 0);
    }
  });

  it('a regex-looking actor does not match look-alikes', async () => {
    const { pages } = await pageAll({ ...mine, actor: 'weird..*@example.com' }, range);
    assert.equal(pages[0].events.length, 0);
  });
});
