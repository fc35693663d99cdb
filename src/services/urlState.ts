// Every Event viewer filter lives in the URL so that a view can be bookmarked and shared.
import { type Cursor, decodeCursor, encodeCursor } from './page';
import { DEFAULT_TIME_RANGE } from '../constants';
import { type AuditFilters, defaultFilters, makeFilters, narrowFilters } from './filters';
import { ROUTES, prefixRoute } from './plugin';

export interface ViewerState {
  filters: AuditFilters;
  /** Grafana raw time: `now-7d`, `now`, or epoch milliseconds. */
  from: string;
  to: string;
  cursor?: Cursor;
  /** Live mode: tail new events. */
  live?: boolean;
  /** The filter panel opened or closed by hand (undefined: open when one of its filters is set). */
  panel?: boolean;
}

export const URL_KEYS = {
  search: 'q',
  categories: 'category',
  severities: 'severity',
  eventType: 'event',
  service: 'service',
  actor: 'actor',
  targetType: 'targetType',
  targetId: 'targetId',
  outcome: 'outcome',
  eventId: 'id',
  requestId: 'request',
  traceId: 'trace',
  stack: 'stack',
  region: 'region',
  classification: 'classification',
  from: 'from',
  to: 'to',
  cursor: 'cursor',
  live: 'live',
  panel: 'filters',
} as const;

const RAW_TIME = /^(now([+-]\d+[smhdwMy])?(\/[smhdwMy])?|\d{1,15})$/;
const narrowTime = (v: string | null, fallback: string) => (v !== null && RAW_TIME.test(v) ? v : fallback);

export function stateToSearchParams(state: ViewerState): URLSearchParams {
  const p = new URLSearchParams();
  const f = state.filters;
  const set = (k: string, v: string) => v !== '' && p.set(k, v);
  set(URL_KEYS.search, f.search);
  f.categories.forEach((c) => p.append(URL_KEYS.categories, c));
  f.severities.forEach((s) => p.append(URL_KEYS.severities, s));
  set(URL_KEYS.eventType, f.eventType);
  set(URL_KEYS.service, f.service);
  set(URL_KEYS.actor, f.actor);
  set(URL_KEYS.targetType, f.targetType);
  set(URL_KEYS.targetId, f.targetId);
  set(URL_KEYS.outcome, f.outcome);
  set(URL_KEYS.eventId, f.eventId);
  set(URL_KEYS.requestId, f.requestId);
  set(URL_KEYS.traceId, f.traceId);
  set(URL_KEYS.stack, f.stack);
  set(URL_KEYS.region, f.region);
  set(URL_KEYS.classification, f.classification);
  if (state.from !== DEFAULT_TIME_RANGE.from || state.to !== DEFAULT_TIME_RANGE.to) {
    p.set(URL_KEYS.from, state.from);
    p.set(URL_KEYS.to, state.to);
  }
  if (state.cursor) {
    p.set(URL_KEYS.cursor, encodeCursor(state.cursor));
  }
  if (state.live) {
    p.set(URL_KEYS.live, '1');
  }
  if (state.panel !== undefined) {
    p.set(URL_KEYS.panel, state.panel ? 'open' : 'closed');
  }
  return p;
}

export function stateFromSearchParams(p: URLSearchParams): ViewerState {
  const filters = narrowFilters({
    search: p.get(URL_KEYS.search) ?? '',
    categories: p.getAll(URL_KEYS.categories).flatMap((v) => v.split(',')),
    severities: p.getAll(URL_KEYS.severities).flatMap((v) => v.split(',')),
    eventType: p.get(URL_KEYS.eventType) ?? '',
    service: p.get(URL_KEYS.service) ?? '',
    actor: p.get(URL_KEYS.actor) ?? '',
    targetType: p.get(URL_KEYS.targetType) ?? '',
    targetId: p.get(URL_KEYS.targetId) ?? '',
    outcome: p.get(URL_KEYS.outcome) ?? '',
    eventId: p.get(URL_KEYS.eventId) ?? '',
    requestId: p.get(URL_KEYS.requestId) ?? '',
    traceId: p.get(URL_KEYS.traceId) ?? '',
    stack: p.get(URL_KEYS.stack) ?? '',
    region: p.get(URL_KEYS.region) ?? '',
    classification: p.get(URL_KEYS.classification) ?? '',
  });
  return {
    filters,
    from: narrowTime(p.get(URL_KEYS.from), DEFAULT_TIME_RANGE.from),
    to: narrowTime(p.get(URL_KEYS.to), DEFAULT_TIME_RANGE.to),
    cursor: decodeCursor(p.get(URL_KEYS.cursor)),
    live: p.get(URL_KEYS.live) === '1',
    panel: p.get(URL_KEYS.panel) === 'open' ? true : p.get(URL_KEYS.panel) === 'closed' ? false : undefined,
  };
}

export const defaultViewerState = (): ViewerState => ({ filters: { ...defaultFilters }, ...DEFAULT_TIME_RANGE });

/** Link to the Event viewer with these filters over a time range. */
export function viewerUrl(from: string, to: string, filters: Partial<AuditFilters>): string {
  const qs = stateToSearchParams({ filters: makeFilters(filters), from, to }).toString();
  return `${prefixRoute(ROUTES.Events)}${qs ? '?' + qs : ''}`;
}
