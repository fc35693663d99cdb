// Cursor paging over Loki, newest first, that stays exact when many events share one nanosecond.
//
// Order: timestamp descending, then the event key (audit id) descending — a total order, because Loki's
// own order among equal timestamps is not stable across queries. Loki's query_range interval is
// [start, end) (verified on Loki 3.7: `end` is exclusive, `start` inclusive).
//
// A page asks for pageSize+1 entries. If the entry after the page has the same timestamp as the last
// entry on the page, Loki may have cut that timestamp's group anywhere, so the whole group is fetched
// with a 1 ns query ([T, T+1)) and sorted by key. A cursor is (ts) when the page ended on a group
// boundary ("strictly older than ts", one query for the next page) or (ts, key) when it ended inside a
// group (the rest of that group is fetched by a 1 ns query first).
import { type AuditEvent, compareNewestFirst, parseStreamsResponse } from './auditEvent';
import { type AuditFilters } from './filters';
import { MAX_LIMIT, buildEventsQuery } from './logql';
import { type LokiTransport } from './lokiTransport';

export interface Cursor {
  /** `older`: the page after (older than) the cursor; `newer`: the page before it. */
  dir: 'older' | 'newer';
  tsNs: string;
  /** Set when the cursor sits inside a group of equal timestamps. */
  key?: string;
}

export interface TimeRangeNs {
  /** Inclusive. */
  startNs: string;
  /** Exclusive. */
  endNs: string;
}

export interface PageRequest {
  filters: Partial<AuditFilters>;
  range: TimeRangeNs;
  cursor?: Cursor;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface Page {
  /** Newest first. */
  events: AuditEvent[];
  /** Cursor for the next (older) page, when there is one. */
  older?: Cursor;
  /** Cursor for the previous (newer) page, when there is one. */
  newer?: Cursor;
  query: string;
}

export const DEFAULT_PAGE_SIZE = 25;

const big = (s: string) => BigInt(s);
const plus = (s: string, n: number) => (big(s) + BigInt(n)).toString();

/** `o1700000000000000000` or `o1700000000000000000~<key>`; keys are URL-safe after encodeURIComponent. */
export function encodeCursor(c: Cursor): string {
  return `${c.dir === 'older' ? 'o' : 'n'}${c.tsNs}${c.key !== undefined ? '~' + c.key : ''}`;
}

export function decodeCursor(s: unknown): Cursor | undefined {
  if (typeof s !== 'string') {
    return undefined;
  }
  const m = /^([on])(\d{1,20})(?:~(.+))?$/s.exec(s);
  if (!m) {
    return undefined;
  }
  return { dir: m[1] === 'o' ? 'older' : 'newer', tsNs: m[2], key: m[3] };
}

async function queryEntries(
  transport: LokiTransport,
  query: string,
  startNs: string,
  endNs: string,
  limit: number,
  direction: 'backward' | 'forward',
  signal?: AbortSignal
): Promise<{ events: AuditEvent[]; sent: number }> {
  if (big(endNs) <= big(startNs)) {
    return { events: [], sent: 0 };
  }
  const body = await transport.get(
    'query_range',
    { query, start: startNs, end: endNs, limit: String(limit), direction },
    signal
  );
  // Loki can send one entry twice (overlapping chunks): exact copies are kept once, as in
  // pkg/loki/paging.go. Copies that differ in anything stay.
  const sent = parseStreamsResponse(body);
  const seen = new Set<string>();
  const events = sent.filter((e) => {
    const id = identity(e);
    return seen.has(id) ? false : (seen.add(id), true);
  });
  return { events, sent: sent.length };
}

const identity = (e: AuditEvent) =>
  [
    e.tsNs,
    e.description,
    ...Object.keys(e.labels)
      .sort()
      .map((k) => `${k}=${e.labels[k]}`),
  ].join('\u0000');

/** Every event with exactly this timestamp, newest-first order. */
async function fetchGroup(transport: LokiTransport, query: string, tsNs: string, signal?: AbortSignal) {
  // From tsNs-1: Loki leaves out a chunk that ends exactly at a query's start, so [ts, ts+1) misses
  // the entries at ts of a chunk cut there (as pkg/loki/paging.go).
  const { events, sent } = await queryEntries(
    transport,
    query,
    plus(tsNs, -1),
    plus(tsNs, 1),
    MAX_LIMIT,
    'backward',
    signal
  );
  if (sent >= MAX_LIMIT) {
    throw new Error(`more than ${MAX_LIMIT - 1} events share the timestamp ${tsNs}; cannot page through them exactly`);
  }
  return events.filter((e) => e.tsNs === tsNs).sort(compareNewestFirst);
}

/**
 * Fetches one page. `cmp` orders in the walking direction (newest-first for `older`, oldest-first for
 * `newer`); the result is always returned newest first.
 */
export async function fetchPage(transport: LokiTransport, req: PageRequest): Promise<Page> {
  const pageSize = req.pageSize ?? DEFAULT_PAGE_SIZE;
  if (pageSize < 1 || pageSize >= MAX_LIMIT) {
    throw new Error(`invalid page size ${pageSize}`);
  }
  const query = buildEventsQuery(req.filters);
  const { startNs, endNs } = req.range;
  const cursor = req.cursor;
  const walkingNewer = cursor?.dir === 'newer';
  const cmp = walkingNewer ? (a: AuditEvent, b: AuditEvent) => compareNewestFirst(b, a) : compareNewestFirst;

  // 1. The rest of the cursor's group (only when the cursor sits inside one).
  let head: AuditEvent[] = [];
  if (cursor?.key !== undefined && big(cursor.tsNs) >= big(startNs) && big(cursor.tsNs) < big(endNs)) {
    const group = (await fetchGroup(transport, query, cursor.tsNs, req.signal)).sort(cmp);
    const key = cursor.key;
    head = group.filter((e) => (walkingNewer ? e.key > key : e.key < key));
  }

  // 2. Strictly beyond the cursor's timestamp.
  let rows: AuditEvent[] = [];
  // Loki sent more than the page needs: more exist even when copies or a boundary group leave the
  // page short.
  let lokiHadMore = false;
  if (head.length <= pageSize) {
    const [from, to] = !cursor
      ? [startNs, endNs]
      : walkingNewer
        ? [maxNs(startNs, plus(cursor.tsNs, 1)), endNs]
        : [startNs, minNs(endNs, cursor.tsNs)];
    const answer = await queryEntries(
      transport,
      query,
      from,
      to,
      pageSize + 1,
      walkingNewer ? 'forward' : 'backward',
      req.signal
    );
    rows = answer.events.sort(cmp);
    // 3. Loki may have cut the boundary group anywhere: when its answer was cut and the page ends on
    // the answer's last timestamp, replace that group with the complete group.
    const need = pageSize - head.length;
    lokiHadMore = answer.sent > need;
    const lastTs = rows[rows.length - 1]?.tsNs;
    if (lokiHadMore && need > 0 && rows.length > 0 && rows[Math.min(need, rows.length) - 1].tsNs === lastTs) {
      const boundary = lastTs;
      const complete = (await fetchGroup(transport, query, boundary, req.signal)).sort(cmp);
      const seen = rows.filter((e) => e.tsNs === boundary).length;
      if (complete.length < seen) {
        throw new Error(
          `Loki returned ${complete.length} entries at timestamp ${boundary} after ${seen} in the page; try again`
        );
      }
      rows = [...rows.filter((e) => e.tsNs !== boundary), ...complete].sort(cmp);
    }
  }

  const all = [...head, ...rows];
  const page = all.slice(0, pageSize);
  const hasMore = all.length > pageSize || lokiHadMore;
  const last = page[page.length - 1];
  const beyond = (): Cursor | undefined => {
    if (!hasMore || !last) {
      return undefined;
    }
    // A short page ends with a whole timestamp group: the cursor goes past it.
    const inGroup = all.length > pageSize && all[pageSize].tsNs === last.tsNs;
    return { dir: walkingNewer ? 'newer' : 'older', tsNs: last.tsNs, key: inGroup ? last.key : undefined };
  };

  if (walkingNewer) {
    const events = page.reverse();
    const oldest = events[events.length - 1];
    return {
      events,
      query,
      newer: beyond(),
      older: oldest ? { dir: 'older', tsNs: oldest.tsNs, key: oldest.key } : undefined,
    };
  }
  const first = page[0];
  return {
    events: page,
    query,
    older: beyond(),
    newer: cursor && first ? { dir: 'newer', tsNs: first.tsNs, key: first.key } : undefined,
  };
}

const minNs = (a: string, b: string) => (big(a) < big(b) ? a : b);
const maxNs = (a: string, b: string) => (big(a) > big(b) ? a : b);
