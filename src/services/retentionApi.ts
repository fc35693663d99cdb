// Retention (pkg/plugin/retention.go): the tenant's window, per-category windows and archive switch,
// applied to Loki by the backend; the nightly runs and a manual one.
import { getResource, sendResource } from './backendApi';

export interface RetentionPolicy {
  days: number;
  categories?: Record<string, number>;
  archive: boolean;
}

export interface RetentionSegment {
  category?: string;
  days: number;
  fromNs: number;
  cutoffNs: number;
  rows: number;
}

export interface RetentionRun {
  id: string;
  trigger: 'schedule' | 'catch-up' | 'manual';
  at: string;
  status: 'ok' | 'refused' | 'failed';
  message?: string;
  segments: RetentionSegment[];
  rows: number;
  archive?: { location: string; manifest: string; sha256: string; size: number; rows: number };
}

export interface Retention {
  tenant: string;
  policy: RetentionPolicy;
  stored: boolean;
  updatedBy?: string;
  updatedAt?: string;
  applied: boolean;
  lokiDays: number;
  floorDays: number;
  maxDays: number;
  pruneAt: string;
  archiveLocation: string;
  runs: RetentionRun[];
  running: boolean;
  /** The retention_period Loki applies to the tenant now, as Loki says it. */
  lokiRetention?: string;
}

export const getRetention = (signal?: AbortSignal) => getResource<Retention>('retention', {}, signal);
export const saveRetention = (p: RetentionPolicy) => sendResource<Retention>('PUT', 'retention', p);
export const startRetentionRun = () => sendResource<{ id: string }>('POST', 'retention/runs');

/** "365 days (AUTH 730)", as the Overview shows it. */
export function describeRetention(p: RetentionPolicy): string {
  const own = Object.entries(p.categories ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return own.length === 0 ? `${p.days} days` : `${p.days} days (${own.map(([c, d]) => `${c} ${d}`).join(', ')})`;
}
