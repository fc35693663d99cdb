// Turning Loki `query_range` stream results into typed audit events. Works with and without the
// `categorize-labels` encoding flag (without it, structured metadata is merged into the stream labels).
import { METADATA, INDEX_LABELS } from './enums';

export interface AuditEvent {
  /** Sort key within one timestamp: the audit id, or a stable fallback for events without one. */
  key: string;
  /** Nanoseconds since the epoch, as a decimal string (exact; JS numbers aren't). */
  tsNs: string;
  timeMs: number;
  id: string;
  description: string;
  category: string;
  severity: string;
  eventType: string;
  action: string;
  outcome: string;
  actorType: string;
  actorId: string;
  actorEmail: string;
  actorName: string;
  actorRoles: string[];
  targetType: string;
  targetId: string;
  targetName: string;
  service: string;
  environment: string;
  clientAddress: string;
  userAgent: string;
  sessionId: string;
  requestId: string;
  stack: string;
  region: string;
  /** Kinds of data the event touches (pii, phi, …). */
  classification: string[];
  traceId: string;
  spanId: string;
  compliance: string[];
  /** Raw JSON strings as stored; parse for display with parseJsonSafe. */
  changes: string;
  metadata: string;
  chainId: string;
  chainSeq: string;
  chainPrev: string;
  chainHash: string;
  /** Every label of the entry (index labels, structured metadata, parsed). */
  labels: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) {
    for (const [k, val] of Object.entries(v)) {
      if (typeof val === 'string') {
        out[k] = val;
      }
    }
  }
  return out;
}

const splitList = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export function toAuditEvent(tsNs: string, line: string, labels: Record<string, string>): AuditEvent {
  const g = (k: string) => labels[k] ?? '';
  const id = g(METADATA.id);
  return {
    key: id !== '' ? id : `~${tsNs}:${line}`,
    tsNs,
    timeMs: tsNs.length > 6 ? Number(tsNs.slice(0, -6)) : 0,
    id,
    description: line,
    category: g(INDEX_LABELS.category),
    severity: g(INDEX_LABELS.severity),
    eventType: g(METADATA.event),
    action: g(METADATA.action),
    outcome: g(METADATA.outcome),
    actorType: g(METADATA.actorType),
    actorId: g(METADATA.userId),
    actorEmail: g(METADATA.userEmail),
    actorName: g(METADATA.userName),
    actorRoles: splitList(labels[METADATA.userRoles]),
    targetType: g(METADATA.targetType),
    targetId: g(METADATA.targetId),
    targetName: g(METADATA.targetName),
    service: g(INDEX_LABELS.service),
    environment: g(INDEX_LABELS.environment),
    clientAddress: g(METADATA.clientAddress),
    userAgent: g(METADATA.userAgent),
    sessionId: g(METADATA.sessionId),
    requestId: g(METADATA.requestId),
    stack: g(METADATA.stack),
    region: g(METADATA.region),
    classification: splitList(labels[METADATA.classification]),
    traceId: g(METADATA.traceId),
    spanId: g(METADATA.spanId),
    compliance: splitList(labels[METADATA.compliance]),
    changes: g(METADATA.changes),
    metadata: g(METADATA.metadata),
    chainId: g(METADATA.chainId),
    chainSeq: g(METADATA.chainSeq),
    chainPrev: g(METADATA.chainPrev),
    chainHash: g(METADATA.chainHash),
    labels,
  };
}

const NANOS = /^\d{1,20}$/;

/** Parses a `query_range` (or `query`) streams response. Malformed entries are skipped, never thrown on. */
export function parseStreamsResponse(body: unknown): AuditEvent[] {
  if (
    !isRecord(body) ||
    !isRecord(body.data) ||
    body.data.resultType !== 'streams' ||
    !Array.isArray(body.data.result)
  ) {
    throw new Error('unexpected Loki response: not a streams result');
  }
  const events: AuditEvent[] = [];
  for (const stream of body.data.result) {
    if (!isRecord(stream) || !Array.isArray(stream.values)) {
      continue;
    }
    const streamLabels = stringRecord(stream.stream);
    for (const v of stream.values) {
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !NANOS.test(v[0])) {
        continue;
      }
      const extra = isRecord(v[2]) ? v[2] : {};
      const labels = { ...streamLabels, ...stringRecord(extra.structuredMetadata), ...stringRecord(extra.parsed) };
      events.push(toAuditEvent(v[0], v[1], labels));
    }
  }
  return events;
}

export interface MetricSample {
  metric: Record<string, string>;
  value: number;
}
export interface MetricSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

/** Parses an instant `vector` response (an empty result is an empty list). */
export function parseVectorResponse(body: unknown): MetricSample[] {
  if (!isRecord(body) || !isRecord(body.data) || !Array.isArray(body.data.result)) {
    throw new Error('unexpected Loki response: no result');
  }
  if (body.data.resultType !== 'vector') {
    throw new Error(`unexpected Loki response: ${String(body.data.resultType)}, wanted vector`);
  }
  return body.data.result.flatMap((s) => {
    if (!isRecord(s) || !Array.isArray(s.value)) {
      return [];
    }
    const value = Number(s.value[1]);
    return Number.isFinite(value) ? [{ metric: stringRecord(s.metric), value }] : [];
  });
}

/** Parses a range `matrix` response; timestamps in ms. */
export function parseMatrixResponse(body: unknown): MetricSeries[] {
  if (!isRecord(body) || !isRecord(body.data) || !Array.isArray(body.data.result)) {
    throw new Error('unexpected Loki response: no result');
  }
  if (body.data.resultType !== 'matrix') {
    throw new Error(`unexpected Loki response: ${String(body.data.resultType)}, wanted matrix`);
  }
  return body.data.result.flatMap((s) => {
    if (!isRecord(s) || !Array.isArray(s.values)) {
      return [];
    }
    const values: Array<[number, number]> = [];
    for (const p of s.values) {
      if (Array.isArray(p) && p.length === 2) {
        const t = Number(p[0]) * 1000;
        const v = Number(p[1]);
        if (Number.isFinite(t) && Number.isFinite(v)) {
          values.push([Math.round(t), v]);
        }
      }
    }
    return [{ metric: stringRecord(s.metric), values }];
  });
}

/** Total order of the viewer: newest first; within one nanosecond, by key descending. */
export function compareNewestFirst(a: Pick<AuditEvent, 'tsNs' | 'key'>, b: Pick<AuditEvent, 'tsNs' | 'key'>): number {
  const t = compareNs(a.tsNs, b.tsNs);
  if (t !== 0) {
    return -t;
  }
  return a.key === b.key ? 0 : a.key > b.key ? -1 : 1;
}

/** Compares decimal nanosecond strings without BigInt (hot path of every page). */
export function compareNs(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) {
    return x.length < y.length ? -1 : 1;
  }
  return x === y ? 0 : x < y ? -1 : 1;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; raw: string };

/** Bad input never breaks the page: unparseable JSON comes back as raw text. */
export function parseJsonSafe(raw: string): JsonParse {
  if (raw.trim() === '') {
    return { ok: false, raw };
  }
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, raw };
  }
}
