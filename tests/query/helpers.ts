// Shared helpers for the query-layer integration tests against the real Loki (node:test + tsx).
import { randomBytes } from 'node:crypto';

import { type AuditFilters } from '../../src/services/filters';
import { type LokiTransport, createFetchTransport } from '../../src/services/lokiTransport';
import { type Cursor, type Page, type TimeRangeNs, fetchPage } from '../../src/services/paging';
import { buildCountQuery } from '../../src/services/logql';
import { parseVectorResponse } from '../../src/services/auditEvent';
import { instantTime, rangeMsOf } from '../../src/services/stats';
import { type GenEvent, pushOtlp } from './demo';

export const LOKI_URL = process.env.ATTEST_LOKI_URL ?? 'http://127.0.0.1:3100';

/** The Loki gateway's service credential (npm test passes it; scripts/stack/lib.mjs lokiAuthorization). */
const gatewayAuth: Record<string, string> = process.env.ATTEST_LOKI_AUTHORIZATION
  ? { Authorization: process.env.ATTEST_LOKI_AUTHORIZATION }
  : {};

const gatewayFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...gatewayAuth } });

export type { GenEvent };

export const uniqueTenant = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

export const transportFor = (tenant: string): LokiTransport =>
  createFetchTransport({ baseUrl: LOKI_URL, tenant, fetchImpl: gatewayFetch });

export async function pushAll(tenant: string, events: GenEvent[], batch = 2000) {
  for (let i = 0; i < events.length; i += batch) {
    await pushOtlp({
      endpoint: `${LOKI_URL}/otlp/v1/logs`,
      tenant,
      events: events.slice(i, i + batch),
      headers: gatewayAuth,
    });
  }
}

/** Whether the free-text search finds needle in e: the description, the action, the resource's name and
 * id, or the actor's name and e-mail, case-insensitively (written apart from the builder). */
export function searchFinds(e: GenEvent, needle: string): boolean {
  const n = needle.toLowerCase();
  const a = e.attributes;
  return [e.body, a['audit.event'], a['audit.target.name'], a['audit.target.id'], a['user.name'], a['user.email']].some(
    (v) => typeof v === 'string' && v.toLowerCase().includes(n)
  );
}

export const msToNs = (ms: number) => (BigInt(ms) * BigInt(1_000_000)).toString();

export async function countEvents(
  t: LokiTransport,
  filters: Partial<AuditFilters>,
  range: TimeRangeNs
): Promise<number> {
  const body = await t.get('query', { query: buildCountQuery(filters, rangeMsOf(range)), time: instantTime(range) });
  const v = parseVectorResponse(body);
  return v[0]?.value ?? 0;
}

/** Waits until Loki counts `expected` events in the range (ingestion is synchronous, but be patient). */
export async function waitForCount(t: LokiTransport, range: TimeRangeNs, expected: number, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let n = -1;
  while (Date.now() < until) {
    n = await countEvents(t, {}, range);
    if (n >= expected) {
      return n;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Loki has ${n} events, expected ${expected}`);
}

/** Pages through everything for the filters, oldest page last. */
export async function pageAll(
  t: LokiTransport,
  filters: Partial<AuditFilters>,
  range: TimeRangeNs,
  pageSize = 25
): Promise<{ pages: Page[] }> {
  const pages: Page[] = [];
  let cursor: Cursor | undefined;
  for (let i = 0; i < 100_000; i++) {
    const page = await fetchPage(t, { filters, range, pageSize, cursor });
    pages.push(page);
    if (!page.older) {
      return { pages };
    }
    cursor = page.older;
  }
  throw new Error('paging did not terminate');
}

/** The viewer's order: newest first, then audit id descending. */
export function newestFirst(a: GenEvent, b: GenEvent): number {
  if (a.timeUnixNano !== b.timeUnixNano) {
    return a.timeUnixNano > b.timeUnixNano ? -1 : 1;
  }
  const ka = a.attributes['audit.id'];
  const kb = b.attributes['audit.id'];
  return ka === kb ? 0 : ka > kb ? -1 : 1;
}
