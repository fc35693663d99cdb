// What the pages read the audit trail through. In Grafana it is the plugin backend's resource routes
// (backendApi.ts): the backend checks the caller's role, queries Loki and records the read. Node
// tools (bench, query tests) and page tests use the same shape over the pure query layer (lokiApi).
import { type AuditEvent } from './auditEvent';
import { type AuditFilters } from './filters';
import { type TailMessage } from './liveTail';
import { type LokiTransport } from './lokiTransport';
import { type Cursor, type Page, type TimeRangeNs, fetchPage } from './paging';
import { type RetentionPolicy } from './retentionApi';
import { type OverviewStats, fetchEventCount, fetchOverviewStats } from './stats';

/** Fields whose present values the backend lists (GET values). */
export type ValueField = 'eventType' | 'service' | 'actor' | 'targetType' | 'stack' | 'region';

export interface FieldValue {
  name: string;
  count: number;
}

export interface EventsRequest {
  filters: Partial<AuditFilters>;
  range: TimeRangeNs;
  cursor?: Cursor;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface AuditApi {
  events(req: EventsRequest): Promise<Page>;
  count(filters: Partial<AuditFilters>, range: TimeRangeNs, signal?: AbortSignal): Promise<number>;
  overview(filters: Partial<AuditFilters>, range: TimeRangeNs, signal?: AbortSignal): Promise<OverviewStats>;
  event(id: string, signal?: AbortSignal): Promise<AuditEvent | undefined>;
  /** The values of one field present in the range, most frequent first (the backend only). */
  values?(
    field: ValueField,
    filters: Partial<AuditFilters>,
    range: TimeRangeNs,
    signal?: AbortSignal
  ): Promise<FieldValue[]>;
  /** Follows new events from fromNs as the server pushes them, until it ends or signal aborts. */
  tail?(
    filters: Partial<AuditFilters>,
    fromNs: string,
    onMessage: (m: TailMessage) => void,
    signal: AbortSignal
  ): Promise<void>;
  /** The tenant's retention window (the backend only: Loki alone does not know it). */
  retention?(signal?: AbortSignal): Promise<RetentionPolicy>;
}

/** The AuditApi straight over a Loki transport, without the backend (Node tools, page tests). */
export function createLokiApi(transport: LokiTransport): AuditApi {
  return {
    events: (req) => fetchPage(transport, req),
    count: (filters, range, signal) => fetchEventCount(transport, filters, range, signal),
    overview: (filters, range, signal) => fetchOverviewStats(transport, filters, range, signal),
    async event(id, signal) {
      const end = BigInt(Date.now() + 60_000) * BigInt(1_000_000);
      const start = end - BigInt(366 * 86_400_000) * BigInt(1_000_000);
      const page = await fetchPage(transport, {
        filters: { eventId: id },
        range: { startNs: start.toString(), endNs: end.toString() },
        pageSize: 1,
        signal,
      });
      return page.events[0];
    },
  };
}
