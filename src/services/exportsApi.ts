// Server-side exports (pkg/plugin/exports.go): request one for the viewer's filters, list the history,
// cancel, delete. Files are downloaded by the browser from the download route, which records the download.
import { RESOURCES_URL, getResource, sendResource } from './backendApi';
import { type AuditFilters } from './filters';
import { type TimeRangeNs } from './page';
import { type ServerJob } from './jobs';
import { filterParams } from './routeParams';

export const EXPORT_FORMATS = [
  { value: 'csv', label: 'CSV' },
  { value: 'json', label: 'JSON' },
  { value: 'jsonl', label: 'JSON Lines' },
  { value: 'xlsx', label: 'Excel (.xlsx)' },
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number]['value'];

export interface ExportJob extends ServerJob {
  format: ExportFormat;
}

export const downloadUrl = (id: string) => `${RESOURCES_URL}/exports/${encodeURIComponent(id)}/download`;

export function requestExport(name: string, format: ExportFormat, filters: Partial<AuditFilters>, range: TimeRangeNs) {
  return sendResource<ExportJob>('POST', 'exports', { name, format, params: filterParams(filters, range) });
}

export async function listExports(signal?: AbortSignal): Promise<ExportJob[]> {
  return (await getResource<{ exports: ExportJob[] }>('exports', {}, signal)).exports;
}

export const cancelExport = (id: string) => sendResource<unknown>('POST', `exports/${encodeURIComponent(id)}/cancel`);
export const deleteExport = (id: string) => sendResource<unknown>('DELETE', `exports/${encodeURIComponent(id)}`);

/** "category=AUTH, service=billing-api" from an export's params, without the range. */
export function describeFilters(params: string): string {
  try {
    const p = JSON.parse(params) as Record<string, unknown>;
    const parts = Object.entries(p)
      .filter(([k]) => k !== 'from' && k !== 'to')
      .map(([k, v]) => `${k}=${String(v)}`);
    return parts.length > 0 ? parts.join(', ') : 'all events';
  } catch {
    return '';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export interface SigningKeyInfo {
  publicKey: string;
  keyId: string;
  algorithm: string;
}

export const fetchSigningKey = (signal?: AbortSignal) => getResource<SigningKeyInfo>('signing-key', {}, signal);

export const manifestUrl = (id: string) => `${RESOURCES_URL}/exports/${encodeURIComponent(id)}/manifest`;
