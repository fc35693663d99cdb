// Reading through the backend's routes on the real Grafana and Loki loaded by the demo generator:
// counts, filters, the Overview's numbers, and paging through every page (both directions) without loss
// or duplication, also across a large group of events that share one nanosecond timestamp.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  countEvents,
  fetchPage,
  generateEvents,
  msToNs,
  newestFirst,
  overview,
  pageAll,
  pushAll,
  searchFinds,
  uniqueRegion,
  waitForCount,
} from './helpers.mjs';

const COUNT = 3000;
const GROUP = 130;

describe('reading through the backend', () => {
  const region = uniqueRegion('query-e2e');
  const mine = { region };
  const endMs = Math.floor(Date.now() / 60_000) * 60_000;
  // Within the last 2 h: Loki asks the ingesters only for the last 3 h (query_ingesters_within), and just-pushed
  // events older than that stay invisible until their chunks are flushed.
  const startMs = endMs - 2 * 3_600_000;
  const range = { startNs: msToNs(startMs), endNs: msToNs(endMs) };
  let events = [];
  let groupTs = 0n;

  before(async () => {
    events = [...generateEvents({ count: COUNT, startMillis: startMs, endMillis: endMs - 60_000, seed: 20261123 })];
    // A burst that shares one nanosecond, in one stream, with the same description: only the ids differ.
    groupTs = BigInt(endMs - 3_600_000) * 1_000_000n + 777n;
    const template = events[events.length - 1];
    for (let i = 0; i < GROUP; i++) {
      events.push({
        ...template,
        timeUnixNano: groupTs,
        body: 'Burst event',
        attributes: {
          ...template.attributes,
          'audit.id': `${template.attributes['audit.id']}-burst-${String(i).padStart(3, '0')}`,
        },
      });
    }
    // Events exactly on the range edges: `start` is inside, `end` is outside.
    events.push({
      ...events[0],
      timeUnixNano: BigInt(startMs) * 1_000_000n,
      attributes: { ...events[0].attributes, 'audit.id': 'edge-start' },
    });
    const outside = {
      ...events[1],
      timeUnixNano: BigInt(endMs) * 1_000_000n,
      attributes: { ...events[1].attributes, 'audit.id': 'edge-end' },
    };
    // Oldest first: Loki refuses entries far behind the newest one of their stream (unordered_writes window).
    await pushAll(
      [...events, outside].sort((a, b) =>
        a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0
      ),
      region
    );
    await waitForCount(mine, range, events.length);
  });

  const expectedFor = (pred) =>
    events
      .filter(pred)
      .sort(newestFirst)
      .map((e) => e.attributes['audit.id']);

  it('counts every event in [start, end)', async () => {
    assert.equal(await countEvents(mine, range), events.length);
  });

  it('pages through every event exactly once, newest first (25 per page)', async () => {
    const { pages } = await pageAll(mine, range, 25);
    const ids = pages.flatMap((p) => p.events.map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual(
      ids,
      expectedFor(() => true)
    );
    assert.ok(pages.slice(0, -1).every((p) => p.events.length === 25));
  });

  it('pages through the same-timestamp burst with small pages', async () => {
    const narrow = {
      startNs: (groupTs - 5_000_000_000n).toString(),
      endNs: (groupTs + 5_000_000_000n).toString(),
    };
    const { pages } = await pageAll(mine, narrow, 7);
    const ids = pages.flatMap((p) => p.events.map((e) => e.id));
    const expected = events
      .filter((e) => e.timeUnixNano >= BigInt(narrow.startNs) && e.timeUnixNano < BigInt(narrow.endNs))
      .sort(newestFirst)
      .map((e) => e.attributes['audit.id']);
    assert.ok(expected.length >= GROUP);
    assert.deepEqual(ids, expected);
  });

  it('walks back through newer pages to the first page', async () => {
    const first = await fetchPage(mine, range);
    let page = first;
    const forward = [first];
    for (let i = 0; i < 5; i++) {
      page = await fetchPage(mine, range, { cursor: page.older });
      forward.push(page);
    }
    for (let i = forward.length - 2; i >= 0; i--) {
      page = await fetchPage(mine, range, { cursor: page.newer });
      assert.deepEqual(
        page.events.map((e) => e.id),
        forward[i].events.map((e) => e.id)
      );
    }
    assert.equal(page.newer, undefined);
  });

  const cases = [
    ['category AUTH', { categories: ['AUTH'] }, (e) => e.attributes['audit.category'] === 'AUTH'],
    [
      'categories SECURITY+SYSTEM',
      { categories: ['SECURITY', 'SYSTEM'] },
      (e) => ['SECURITY', 'SYSTEM'].includes(e.attributes['audit.category']),
    ],
    [
      'severity CRITICAL+ERROR',
      { severities: ['CRITICAL', 'ERROR'] },
      (e) => ['CRITICAL', 'ERROR'].includes(e.severityText),
    ],
    ['event type', { eventType: 'user.deleted' }, (e) => e.attributes['audit.event'] === 'user.deleted'],
    ['service', { service: 'billing-api' }, (e) => e.service.name === 'billing-api'],
    ['actor by id', { actor: 'u-1003' }, (e) => e.attributes['user.id'] === 'u-1003'],
    [
      'actor by email, any case',
      { actor: 'CHLOÉ.DUBOIS@globex.example' },
      (e) => e.attributes['user.email'] === 'chloé.dubois@globex.example',
    ],
    ['outcome', { outcome: 'denied' }, (e) => e.attributes['audit.outcome'] === 'denied'],
    ['target type', { targetType: 'hardware' }, (e) => e.attributes['audit.target.type'] === 'hardware'],
    ['search in description', { search: 'ASSIGNED' }, (e) => searchFinds(e, 'ASSIGNED')],
    ['search in event type', { search: 'login.failed' }, (e) => searchFinds(e, 'login.failed')],
    [
      'combined',
      { categories: ['DATA_MODIFY'], severities: ['INFO'], search: 'hardware' },
      (e) =>
        e.attributes['audit.category'] === 'DATA_MODIFY' && e.severityText === 'INFO' && searchFinds(e, 'hardware'),
    ],
  ];
  for (const [name, filters, pred] of cases) {
    it(`filter: ${name} (count and every page)`, async () => {
      const expected = expectedFor(pred);
      assert.ok(expected.length > 0, 'the filter selects something');
      assert.equal(await countEvents({ ...mine, ...filters }, range), expected.length);
      const { pages } = await pageAll({ ...mine, ...filters }, range, 25);
      assert.deepEqual(
        pages.flatMap((p) => p.events.map((e) => e.id)),
        expected
      );
    });
  }

  it('overview stats match the loaded events', async () => {
    const s = await overview(mine, range);
    const sev = (x) => events.filter((e) => e.severityText === x).length;
    assert.equal(s.total, events.length);
    assert.equal(s.criticalAndError, sev('CRITICAL') + sev('ERROR'));
    assert.equal(s.warnings, sev('WARNING'));
    const users = new Set(
      events.filter((e) => e.attributes['audit.actor.type'] === 'user').map((e) => e.attributes['user.id'])
    );
    assert.equal(s.activeUsers, users.size);
    const byType = new Map();
    events.forEach((e) => byType.set(e.attributes['audit.event'], (byType.get(e.attributes['audit.event']) ?? 0) + 1));
    const top = [...byType.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
    assert.deepEqual(
      s.topEventTypes.map((x) => [x.name, x.count]),
      top
    );
    const byCat = new Map();
    events.forEach((e) =>
      byCat.set(e.attributes['audit.category'], (byCat.get(e.attributes['audit.category']) ?? 0) + 1)
    );
    assert.deepEqual(new Map(s.byCategory.map((c) => [c.name, c.count])), byCat);
    const recent = events
      .filter((e) => ['CRITICAL', 'ERROR'].includes(e.severityText))
      .sort(newestFirst)
      .slice(0, 5)
      .map((e) => e.attributes['audit.id']);
    assert.deepEqual(
      s.recentHighSeverity.map((e) => e.id),
      recent
    );
    const charted = s.overTime.series.reduce((n, x) => n + x.points.reduce((m, p) => m + p[1], 0), 0);
    assert.ok(charted >= events.length - 1, `events over time covers the range (${charted})`);
  });
});
