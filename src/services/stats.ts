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
import { type LokiTransport } from './lokiTransport';
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

export async function fetchOverviewStats(
  transport: LokiTransport,
  filters: Partial<AuditFilters>,
  range: TimeRangeNs,
  signal?: AbortSignal
): Promise<OverviewStats> {
  const q = buildOverviewQueries(filters, range);
  const time = instantTime(range);
  const stepS = String(q.stepMs / 1000);
  // Align the buckets to the step so that every bucket covers one whole step inside the range.
  const startMs = Number(BigInt(range.startNs) / NS_PER_MS);
  const endMs = Number(BigInt(range.endNs) / NS_PER_MS);
  const firstBucketEnd = Math.ceil((startMs + 1) / q.stepMs) * q.stepMs;
  const [counts, users, top, overTime, recent] = await Promise.all([
    transport.get('query', { query: q.counts, time }, signal),
    transport.get('query', { query: q.activeUsers, time }, signal),
    transport.get('query', { query: q.topEventTypes, time }, signal),
    transport.get(
      'query_range',
      {
        query: q.overTime,
        start: (BigInt(firstBucketEnd) * NS_PER_MS).toString(),
        end: (BigInt(Math.max(firstBucketEnd, endMs)) * NS_PER_MS).toString(),
        step: stepS,
      },
      signal
    ),
    transport.get(
      'query_range',
      { query: q.recentHighSeverity, start: range.startNs, end: range.endNs, limit: '5', direction: 'backward' },
      signal
    ),
  ]);
  return summarize(
    parseVectorResponse(counts),
    parseVectorResponse(users),
    parseVectorResponse(top),
    parseMatrixResponse(overTime),
    parseStreamsResponse(recent),
    q.stepMs
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
  const body = await transport.get('query', { query: buildCountQuery(filters, rangeMsOf(range)), time: instantTime(range) }, signal);
  return parseVectorResponse(body)[0]?.value ?? 0;
}
