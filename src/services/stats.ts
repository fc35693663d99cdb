// The Overview's numbers: a handful of metric queries over one time range, run through a LokiTransport.
import { type AuditEvent, parseMatrixResponse, parseStreamsResponse, parseVectorResponse } from './auditEvent';
import { CATEGORIES, INDEX_LABELS, METADATA } from './enums';
import { type AuditFilters } from './filters';
import {
  buildCategorySeverityCountsQuery,
  buildCountQuery,
  buildDistinctActorsQuery,
  buildEventsOverTimeQuery,
  buildHighSeverityQuery,
  buildTopEventTypesQuery,
  pickStepMs,
} from './logql';
import { type LokiApiPath, type LokiTransport } from './lokiTransport';
import { type TimeRangeNs } from './paging';

export interface OverviewStats {
  total: number;
  criticalAndError: number;
  warnings: number;
  activeUsers: number;
  byCategory: Array<{ category: string; count: number }>;
  bySeverity: Record<string, number>;
  topEventTypes: Array<{ eventType: string; count: number }>;
  overTime: { stepMs: number; series: Array<{ category: string; points: Array<[number, number]> }> };
  recentHighSeverity: AuditEvent[];
  /** Whole days read from the backend's daily counts (the rest was counted live). */
  rollupDays?: number;
}

export interface OverviewQueries {
  counts: string;
  activeUsers: string;
  topEventTypes: string;
  overTime: string;
  recentHighSeverity: string;
  rangeMs: number;
  stepMs: number;
}

const NS_PER_MS = BigInt(1_000_000);

/** How many Overview queries run at once. */
export const OVERVIEW_CONCURRENCY = 2;

/** Runs tasks with at most `limit` in flight; results in task order; the first failure rejects. */
export async function runLimited<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The range must be whole milliseconds (LogQL range durations have ms resolution). */
export function rangeMsOf(range: TimeRangeNs): number {
  const d = BigInt(range.endNs) - BigInt(range.startNs);
  if (d <= BigInt(0) || d % NS_PER_MS !== BigInt(0)) {
    throw new Error('the time range must be a positive whole number of milliseconds');
  }
  return Number(d / NS_PER_MS);
}

export function buildOverviewQueries(filters: Partial<AuditFilters>, range: TimeRangeNs): OverviewQueries {
  const rangeMs = rangeMsOf(range);
  const stepMs = pickStepMs(rangeMs);
  return {
    counts: buildCategorySeverityCountsQuery(filters, rangeMs),
    activeUsers: buildDistinctActorsQuery(filters, rangeMs),
    topEventTypes: buildTopEventTypesQuery(filters, rangeMs, 5),
    overTime: buildEventsOverTimeQuery(filters, stepMs),
    recentHighSeverity: buildHighSeverityQuery(filters),
    rangeMs,
    stepMs,
  };
}

/** Instant-query time so that the (t - range, t] window equals [start, end). */
export const instantTime = (range: TimeRangeNs) => (BigInt(range.endNs) - BigInt(1)).toString();

export type OverviewRequestName = 'counts' | 'recentHighSeverity' | 'overTime' | 'activeUsers' | 'topEventTypes';

export interface LokiRequest {
  name: OverviewRequestName;
  path: LokiApiPath;
  params: Record<string, string>;
}

/** The Overview's Loki requests, cheapest and most important first. */
export function buildOverviewRequests(
  filters: Partial<AuditFilters>,
  range: TimeRangeNs
): { queries: OverviewQueries; requests: LokiRequest[] } {
  const q = buildOverviewQueries(filters, range);
  const time = instantTime(range);
  // Buckets end on multiples of the step, so that every bucket covers one whole step.
  const startMs = Number(BigInt(range.startNs) / NS_PER_MS);
  const endMs = Number(BigInt(range.endNs) / NS_PER_MS);
  const firstBucketEnd = Math.ceil((startMs + 1) / q.stepMs) * q.stepMs;
  return {
    queries: q,
    requests: [
      { name: 'counts', path: 'query', params: { query: q.counts, time } },
      {
        name: 'recentHighSeverity',
        path: 'query_range',
        params: {
          query: q.recentHighSeverity,
          start: range.startNs,
          end: range.endNs,
          limit: '5',
          direction: 'backward',
        },
      },
      {
        name: 'overTime',
        path: 'query_range',
        params: {
          query: q.overTime,
          start: (BigInt(firstBucketEnd) * NS_PER_MS).toString(),
          end: (BigInt(Math.max(firstBucketEnd, endMs)) * NS_PER_MS).toString(),
          step: String(q.stepMs / 1000),
        },
      },
      { name: 'activeUsers', path: 'query', params: { query: q.activeUsers, time } },
      { name: 'topEventTypes', path: 'query', params: { query: q.topEventTypes, time } },
    ],
  };
}

export async function fetchOverviewStats(
  transport: LokiTransport,
  filters: Partial<AuditFilters>,
  range: TimeRangeNs,
  signal?: AbortSignal
): Promise<OverviewStats> {
  const { queries, requests } = buildOverviewRequests(filters, range);
  // Each metric query scans every event of the range once: run at most two at a time, so that a long range
  // (30-90 days) doesn't make Loki time out all of them at once.
  const bodies = await runLimited(
    requests.map((r) => () => transport.get(r.path, r.params, signal)),
    OVERVIEW_CONCURRENCY
  );
  const by = (name: OverviewRequestName) => bodies[requests.findIndex((r) => r.name === name)];
  return summarize(
    parseVectorResponse(by('counts')),
    parseVectorResponse(by('activeUsers')),
    parseVectorResponse(by('topEventTypes')),
    parseMatrixResponse(by('overTime')),
    parseStreamsResponse(by('recentHighSeverity')),
    queries.stepMs
  );
}

export function summarize(
  counts: ReturnType<typeof parseVectorResponse>,
  users: ReturnType<typeof parseVectorResponse>,
  top: ReturnType<typeof parseVectorResponse>,
  overTime: ReturnType<typeof parseMatrixResponse>,
  recent: AuditEvent[],
  stepMs: number
): OverviewStats {
  const byCat = new Map<string, number>();
  const bySeverity: Record<string, number> = { CRITICAL: 0, ERROR: 0, WARNING: 0, INFO: 0 };
  let total = 0;
  for (const s of counts) {
    total += s.value;
    const cat = s.metric[INDEX_LABELS.category] ?? '';
    const sev = s.metric[INDEX_LABELS.severity] ?? '';
    byCat.set(cat, (byCat.get(cat) ?? 0) + s.value);
    bySeverity[sev] = (bySeverity[sev] ?? 0) + s.value;
  }
  const order = (c: string) => {
    const i = (CATEGORIES as readonly string[]).indexOf(c);
    return i < 0 ? CATEGORIES.length : i;
  };
  return {
    total,
    criticalAndError: (bySeverity.CRITICAL ?? 0) + (bySeverity.ERROR ?? 0),
    warnings: bySeverity.WARNING ?? 0,
    activeUsers: users[0]?.value ?? 0,
    byCategory: [...byCat.entries()]
      .map(([category, count]) => ({ category, count }))
      .sort((a, b) => b.count - a.count || order(a.category) - order(b.category)),
    bySeverity,
    topEventTypes: top
      .map((s) => ({ eventType: s.metric[METADATA.event] ?? '', count: s.value }))
      .sort((a, b) => b.count - a.count || a.eventType.localeCompare(b.eventType))
      .slice(0, 5),
    overTime: {
      stepMs,
      series: overTime
        .map((s) => ({ category: s.metric[INDEX_LABELS.category] ?? '', points: s.values }))
        .sort((a, b) => order(a.category) - order(b.category)),
    },
    recentHighSeverity: [...recent].sort((a, b) => (BigInt(a.tsNs) > BigInt(b.tsNs) ? -1 : 1)).slice(0, 5),
  };
}

/** Total number of events matching the filters in [start, end). */
export async function fetchEventCount(
  transport: LokiTransport,
  filters: Partial<AuditFilters>,
  range: TimeRangeNs,
  signal?: AbortSignal
): Promise<number> {
  const body = await transport.get(
    'query',
    { query: buildCountQuery(filters, rangeMsOf(range)), time: instantTime(range) },
    signal
  );
  return parseVectorResponse(body)[0]?.value ?? 0;
}
