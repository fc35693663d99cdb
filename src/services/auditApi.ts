// What the pages read the audit trail through: the plugin backend's resource routes (backendApi.ts).
// The backend checks the caller's role, queries Loki and records the read.
import { type AuditEvent } from './auditEvent';
import { type AuditFilters } from './filters';
import { type TailMessage } from './liveTail';
import { type Cursor, type Page, type TimeRangeNs } from './page';
import { type RetentionPolicy } from './retentionApi';
import { type OverviewStats } from './overviewStats';

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
