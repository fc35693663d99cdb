import { compareNewestFirst } from './auditEvent';
import { type FakeEntry, createFakeLoki } from 'test/fakeLoki';
import { type Cursor, type Page, decodeCursor, encodeCursor, fetchPage } from './paging';

const T0 = BigInt('1790000000000000000');
const entry = (offsetNs: number, id: string): FakeEntry => ({
  tsNs: (T0 + BigInt(offsetNs)).toString(),
  line: `event ${id}`,
  labels: { service_name: 'svc', audit_category: 'AUTH', severity_text: 'INFO' },
  metadata: { audit_id: id, audit_event: 'auth.logout' },
});
const range = { startNs: T0.toString(), endNs: (T0 + BigInt(1_000_000)).toString() };

function corpus(): FakeEntry[] {
  const out: FakeEntry[] = [];
  let n = 0;
  const id = () => `id-${String(n++).padStart(4, '0')}`;
  for (let i = 0; i < 30; i++) {
    out.push(entry(1000 + i * 10, id()));
  }
  for (let i = 0; i < 60; i++) {
    out.push(entry(500, id())); // a group much larger than a page
  }
  for (let i = 0; i < 7; i++) {
    out.push(entry(400, id()));
  }
  for (let i = 0; i < 26; i++) {
    out.push(entry(300 - (i % 3), id()));
  }
  out.push(entry(0, id())); // at start: included
  out.push(entry(1_000_000, id())); // at end: excluded
  return out;
}

async function walk(entries: FakeEntry[], pageSize: number, seed: number) {
  const loki = createFakeLoki(entries, seed);
  const pages: Page[] = [];
  let cursor: Cursor | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await fetchPage(loki, { filters: {}, range, pageSize, cursor });
    pages.push(page);
    if (!page.older) {
      break;
    }
    cursor = decodeCursor(encodeCursor(page.older));
  }
  return { pages, loki };
}

describe('fetchPage', () => {
  it.each([3, 7, 25])('reads every event once when Loki sends copies of entries (page size %d)', async (pageSize) => {
    // Loki can send one entry twice from overlapping chunks: every entry of two groups twice here.
    const entries = corpus();
    const copies = entries.filter((e) => e.tsNs === entry(400, '').tsNs || e.tsNs === entry(1100, '').tsNs);
    const { pages } = await walk([...entries, ...copies.map((e) => ({ ...e }))], pageSize, pageSize);
    const ids = pages.flatMap((p) => p.events.map((e) => e.id));
    const distinct = entries.filter((e) => BigInt(e.tsNs) < BigInt(range.endNs)).length;
    expect(new Set(ids).size).toBe(distinct);
    expect(ids.length).toBe(distinct);
  });

  it.each([1, 2, 7, 25, 59, 60, 61, 200])(
    'walks every event exactly once, newest first (page size %d)',
    async (pageSize) => {
      const entries = corpus();
      const { pages } = await walk(entries, pageSize, pageSize);
      const ids = pages.flatMap((p) => p.events.map((e) => e.id));
      const expected = entries
        .filter((e) => BigInt(e.tsNs) < BigInt(range.endNs))
        .map((e) => ({ tsNs: e.tsNs, key: e.metadata.audit_id }))
        .sort(compareNewestFirst)
        .map((e) => e.key);
      expect(ids).toEqual(expected);
      expect(pages.every((p, i) => i === pages.length - 1 || p.events.length === pageSize)).toBe(true);
    }
  );

  it('needs one query per page when no timestamp group is cut', async () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(i * 10, `id-${i}`));
    const { pages, loki } = await walk(entries, 25, 3);
    expect(pages.map((p) => p.events.length)).toEqual([25, 25]);
    expect(loki.calls).toHaveLength(2);
    expect(loki.calls[0]).toMatchObject({ limit: '26', direction: 'backward', end: range.endNs, start: range.startNs });
  });

  it('walks back to newer pages symmetrically', async () => {
    const entries = corpus();
    const loki = createFakeLoki(entries, 9);
    const first = await fetchPage(loki, { filters: {}, range, pageSize: 25 });
    const second = await fetchPage(loki, { filters: {}, range, pageSize: 25, cursor: first.older });
    const third = await fetchPage(loki, { filters: {}, range, pageSize: 25, cursor: second.older });
    expect(third.newer).toBeDefined();
    const back = await fetchPage(loki, { filters: {}, range, pageSize: 25, cursor: third.newer });
    expect(back.events.map((e) => e.id)).toEqual(second.events.map((e) => e.id));
    const top = await fetchPage(loki, { filters: {}, range, pageSize: 25, cursor: back.newer });
    expect(top.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(top.newer).toBeUndefined();
  });

  it('returns an empty page with no cursors for an empty range', async () => {
    const page = await fetchPage(createFakeLoki([]), { filters: {}, range });
    expect(page).toMatchObject({ events: [], older: undefined, newer: undefined });
  });

  it('sends the built LogQL', async () => {
    const loki = createFakeLoki([]);
    await fetchPage(loki, { filters: { categories: ['AUTH'] }, range });
    expect(loki.calls[0].query).toEqual('{service_name=~".+", audit_category="AUTH"}');
  });
});

describe('cursor encoding', () => {
  it.each<Cursor>([
    { dir: 'older', tsNs: '1790000000000000000' },
    { dir: 'newer', tsNs: '1', key: '01a2-~x' },
  ])('round-trips %o', (c) => {
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });
  it.each([undefined, '', 'x123', 'o-1', 'o12a', 42])('rejects %p', (s) => {
    expect(decodeCursor(s)).toBeUndefined();
  });
});
