// Compliance reports (pkg/plugin/reports.go): evidence packs generated as jobs on the server. Files are
// downloaded by the browser from the download route, which records the download.
import { RESOURCES_URL, getResource, sendResource } from './backendApi';
import { type JobStatus, type ServerJob, isActive } from './jobs';

export interface ReportControl {
  id: string;
  title: string;
}

export interface ReportType {
  id: string;
  name: string;
  title: string;
  description: string;
  controls: ReportControl[];
}

export interface ReportTypes {
  types: ReportType[];
  retentionDays: number;
}

export interface ReportSpec {
  type: string;
  name: string;
  /** RFC 3339 times; the period is [from, to). */
  from: string;
  to: string;
  categories?: string[];
  eventTypes?: string[];
  actors?: string[];
  /** A resource pack: every event on this target, and with related the events sharing a request id. */
  targetType?: string;
  targetId?: string;
  related?: boolean;
}

/** A report job; rows are the events read so far while generating, the events in the pack once completed. */
export type ReportJob = ServerJob;

export const CUSTOM = 'Custom';

export const isGenerating = isActive;

/** The seeds' words for a report's state. */
export const STATUS_LABEL: Record<JobStatus, string> = {
  pending: 'Pending',
  running: 'Generating',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
};

export function specOf(r: ReportJob): ReportSpec | undefined {
  try {
    return JSON.parse(r.params) as ReportSpec;
  } catch {
    return undefined;
  }
}

export const fetchReportTypes = (signal?: AbortSignal) => getResource<ReportTypes>('reports/types', {}, signal);

export async function listReports(signal?: AbortSignal): Promise<ReportJob[]> {
  return (await getResource<{ reports: ReportJob[] }>('reports', {}, signal)).reports;
}

export const generateReport = (spec: ReportSpec) => sendResource<ReportJob>('POST', 'reports', spec);
export const deleteReport = (id: string) => sendResource<unknown>('DELETE', `reports/${encodeURIComponent(id)}`);
export const deleteReports = (ids: string[]) => sendResource<{ deleted: number }>('POST', 'reports/delete', { ids });
export const retryReport = (id: string) => sendResource<ReportJob>('POST', `reports/${encodeURIComponent(id)}/retry`);

export const reportDownloadUrl = (id: string, file: 'zip' | 'pdf') =>
  `${RESOURCES_URL}/reports/${encodeURIComponent(id)}/download?file=${file}`;

export interface ReportDraft {
  type: string;
  name: string;
  /** YYYY-MM-DD, UTC days. */
  startDate: string;
  endDate: string;
  categories: string[];
  eventTypes: string;
  actors: string;
}

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A new draft: the last 90 days up to today. */
export function newDraft(now = Date.now()): ReportDraft {
  return {
    type: 'SOX',
    name: '',
    startDate: isoDay(now - 89 * DAY_MS),
    endDate: isoDay(now),
    categories: [],
    eventTypes: '',
    actors: '',
  };
}

export type DraftField = 'type' | 'name' | 'startDate' | 'endDate';

/** What is wrong with a draft, by field, as the backend checks it (it checks again). */
export function draftProblems(
  d: ReportDraft,
  retentionDays: number,
  now = Date.now()
): Partial<Record<DraftField, string>> {
  const out: Partial<Record<DraftField, string>> = {};
  if (!d.type) {
    out.type = 'Choose a report type.';
  }
  if (!d.name.trim()) {
    out.name = 'A report name is required.';
  } else if (d.name.trim().length > 200) {
    out.name = 'At most 200 characters.';
  }
  const start = Date.parse(`${d.startDate}T00:00:00Z`);
  const end = Date.parse(`${d.endDate}T00:00:00Z`);
  if (Number.isNaN(start)) {
    out.startDate = 'Set a start date.';
  } else if (start < now - retentionDays * DAY_MS) {
    out.startDate = `Before the ${retentionDays}-day retention window (earliest ${isoDay(now - retentionDays * DAY_MS + DAY_MS)}).`;
  }
  if (Number.isNaN(end)) {
    out.endDate = 'Set an end date.';
  } else if (end > now) {
    out.endDate = 'The end date is in the future.';
  } else if (!Number.isNaN(start) && end < start) {
    out.endDate = 'The end date must not be before the start date.';
  }
  return out;
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The request for a draft: whole UTC days, the end day included (up to now when it is today). */
export function specOfDraft(d: ReportDraft, now = Date.now()): ReportSpec {
  const from = Date.parse(`${d.startDate}T00:00:00Z`);
  const to = Math.min(Date.parse(`${d.endDate}T00:00:00Z`) + DAY_MS, now);
  const spec: ReportSpec = {
    type: d.type,
    name: d.name.trim(),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  };
  if (d.type === CUSTOM) {
    spec.categories = d.categories;
    spec.eventTypes = list(d.eventTypes);
    spec.actors = list(d.actors);
  }
  return spec;
}

/** "2026-09-01 to 2026-11-30" from a report's period (the end is exclusive). */
export function describePeriod(spec: ReportSpec | undefined): string {
  if (!spec) {
    return '';
  }
  const to = Date.parse(spec.to);
  const lastDay = to % DAY_MS === 0 ? to - DAY_MS : to;
  return `${isoDay(Date.parse(spec.from))} to ${isoDay(lastDay)}`;
}

export type Every = 'monthly' | 'quarterly';

/** A report that repeats: each run covers the calendar month or quarter (UTC) that has just ended. */
export interface ScheduleInput extends Omit<ReportSpec, 'from' | 'to'> {
  every: Every;
  contactPoints: string[];
  /** Also run the period that has just ended, at once. */
  runLastPeriod: boolean;
}

export interface ScheduleRun {
  jobId: string;
  period: string;
  status?: JobStatus;
  error?: string;
  rows?: number;
  notified: boolean;
  notifyError?: string;
}

export interface ReportSchedule {
  id: string;
  name: string;
  every: Every;
  spec: ReportSpec;
  contactPoints: string[];
  createdBy: string;
  created: string;
  /** The next period to run (2026-12, 2026-Q4) and when it runs (its end). */
  nextPeriod: string;
  nextRunAt: string;
  runs: ScheduleRun[];
}

export async function listSchedules(signal?: AbortSignal): Promise<ReportSchedule[]> {
  return (await getResource<{ schedules: ReportSchedule[] }>('reports/schedules', {}, signal)).schedules;
}
export const createSchedule = (s: ScheduleInput) => sendResource<ReportSchedule>('POST', 'reports/schedules', s);
export const deleteSchedule = (id: string) =>
  sendResource<unknown>('DELETE', `reports/schedules/${encodeURIComponent(id)}`);

/** A schedule request from a draft: what the report selects, without its dates. */
export function scheduleOfDraft(
  d: ReportDraft,
  every: Every,
  contactPoints: string[],
  runLastPeriod: boolean
): ScheduleInput {
  const { from, to, ...spec } = specOfDraft(d);
  return { ...spec, every, contactPoints, runLastPeriod };
}

/** A resource pack's request: a Custom report of one target over the draft's days. */
export function resourcePackSpec(d: ReportDraft, targetType: string, targetId: string, related: boolean): ReportSpec {
  return { ...specOfDraft({ ...d, type: CUSTOM }), targetType, targetId, related };
}
