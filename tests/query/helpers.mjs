// The reading suite's helpers: events pushed into the real Loki as a producer's would land, read back
// only through the backend's routes (GET events, events/count, overview) on the real Grafana, as the
// pages read them. They go to the second org's tenant (org 1's is what the browser check counts), and
// each run marks its events with a region of its own that every read filters on, so the suite sees
// only what it wrote, even on a stack in use.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { pushOtlp } from '../../scripts/demo/otlp.mjs';
import { lokiHeaders } from '../../scripts/stack/lib.mjs';
import { RESOURCES, cfg, ensureSecondOrg, grafana, resource, tenantOf } from '../grafana/helpers.mjs';

export { generateEvents, makeEvent, rng } from '../../scripts/demo/generator.mjs';

let org;
/** The org the suite reads as (its Admin), and its tenant. */
async function target() {
  org ??= await ensureSecondOrg();
  const tenant = tenantOf(org);
  assert.ok(tenant, `org ${org} is mapped to a tenant`);
  return { org, tenant };
}

export const uniqueRegion = (prefix) => `${prefix}-${randomBytes(5).toString('hex')}`;

export const msToNs = (ms) => (BigInt(ms) * 1_000_000n).toString();

/** Pushes events (each given the run's region) to Loki's OTLP endpoint through the gateway. */
export async function pushAll(events, region, batch = 2000) {
  const { tenant } = await target();
  for (const e of events) {
    e.tenant = tenant;
    e.attributes['audit.region'] = region;
  }
  for (let i = 0; i < events.length; i += batch) {
    await pushOtlp({
      endpoint: `${cfg.lokiUrl}/otlp/v1/logs`,
      tenant,
      events: events.slice(i, i + batch),
      headers: lokiHeaders(tenant),
    });
  }
}

/** The routes' query parameters for filters over a range (as src/services/routeParams.ts builds them). */
export function params(filters, range, extra = {}) {
  const p = { from: range.startNs, to: range.endNs, ...extra };
  for (const [k, v] of Object.entries(filters)) {
    const name = { categories: 'category', severities: 'severity' }[k] ?? k;
    p[name] = Array.isArray(v) ? v.join(',') : v;
  }
  return p;
}

async function route(path, filters, range, extra) {
  const res = await resource(path, params(filters, range, extra), { org: (await target()).org });
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** GET events/count. */
export const countEvents = async (filters, range) => (await route('events/count', filters, range)).total;

/** GET events: one page. */
export const fetchPage = (filters, range, { pageSize = 25, cursor } = {}) =>
  route('events', filters, range, { pageSize: String(pageSize), ...(cursor ? { cursor } : {}) });

/** GET overview. */
export const overview = (filters, range) => route('overview', filters, range);

/** A route's answer to a raw query string (for what URLSearchParams would not send). */
export const rawQuery = async (path, qs) => grafana('GET', `${RESOURCES}/${path}?${qs}`, { org: (await target()).org });

/** Waits until the backend counts `expected` events of the run. */
export async function waitForCount(filters, range, expected, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let n = -1;
  while (Date.now() < until) {
    n = await countEvents(filters, range);
    if (n >= expected) {
      return n;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the backend counts ${n} events, expected ${expected}`);
}

/** Pages through everything for the filters, oldest page last. */
export async function pageAll(filters, range, pageSize = 25) {
  const pages = [];
  let cursor;
  for (let i = 0; i < 100_000; i++) {
    const page = await fetchPage(filters, range, { pageSize, cursor });
    pages.push(page);
    if (!page.older) {
      return { pages };
    }
    cursor = page.older;
  }
  throw new Error('paging did not terminate');
}

/** Whether the free-text search finds needle in e: the description, the action, the resource's name and
 * id, or the actor's name and e-mail, case-insensitively (written apart from the backend's builder). */
export function searchFinds(e, needle) {
  const n = needle.toLowerCase();
  const a = e.attributes;
  return [e.body, a['audit.event'], a['audit.target.name'], a['audit.target.id'], a['user.name'], a['user.email']].some(
    (v) => typeof v === 'string' && v.toLowerCase().includes(n)
  );
}

/** The viewer's order: newest first, then audit id descending. */
export function newestFirst(a, b) {
  if (a.timeUnixNano !== b.timeUnixNano) {
    return a.timeUnixNano > b.timeUnixNano ? -1 : 1;
  }
  const ka = a.attributes['audit.id'];
  const kb = b.attributes['audit.id'];
  return ka === kb ? 0 : ka > kb ? -1 : 1;
}
