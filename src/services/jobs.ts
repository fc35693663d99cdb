// A server-side job as the backend lists it (pkg/jobs): exports and compliance reports.
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'canceled';

export interface ServerJob {
  id: string;
  name: string;
  /** JSON of what the job works on (an export's filters, a report's request). */
  params: string;
  requestedBy: string;
  created: string;
  updated: string;
  status: JobStatus;
  /** Rows written (an export) or events read so far, then in the pack (a report). */
  rows: number;
  size: number;
  sha256?: string;
  error?: string;
}

export const isActive = (j: ServerJob) => j.status === 'pending' || j.status === 'running';

/** The badge colour of each status. */
export const STATUS_COLOR = {
  pending: 'blue',
  running: 'blue',
  completed: 'green',
  failed: 'red',
  canceled: 'orange',
} as const;
