// The counts datasource's query model, the same fields as pkg/counts/query.go.
import { type DataQuery } from '@grafana/schema';

import { type Category, type Outcome, type Severity } from 'services/enums';

export type CountsMode = 'range' | 'instant' | 'silence';
export type CountsGroupBy = 'category' | 'severity' | 'event' | 'service' | 'outcome' | 'actor';

export interface CountsQuery extends DataQuery {
  mode?: CountsMode;
  categories?: Category[];
  /** Counts events at or above this severity. */
  severity?: Severity;
  eventTypes?: string[];
  service?: string;
  outcome?: Outcome;
  /** Admin only: one actor (id or e-mail). */
  actor?: string;
  /** Admin only: text in the after-state of changes. */
  changedTo?: string;
  groupBy?: CountsGroupBy[];
  /** How far back "silence" looks for services that should be sending (Go duration). */
  lookback?: string;
  /** Bucket of "range" (Go duration, e.g. 5m); the panel's interval when empty. */
  step?: string;
}

/** A field whose values present in a time range the datasource lists (pickers, template variables). */
export type ValueField = 'category' | 'severity' | 'event' | 'service' | 'outcome' | 'actor';

export interface PresentValue {
  value: string;
  count: number;
}

export const GROUP_BY_OPTIONS: Array<{ value: CountsGroupBy; label: string; description?: string }> = [
  { value: 'category', label: 'Category' },
  { value: 'severity', label: 'Severity' },
  { value: 'event', label: 'Event type' },
  { value: 'service', label: 'Service' },
  { value: 'outcome', label: 'Outcome' },
  { value: 'actor', label: 'Actor', description: 'Admin only' },
];

export const MODE_OPTIONS: Array<{ value: CountsMode; label: string; description: string }> = [
  { value: 'range', label: 'Over time', description: 'Counts per interval' },
  { value: 'instant', label: 'Total', description: 'One count over the whole time range' },
  {
    value: 'silence',
    label: 'Quiet services',
    description: 'Per service seen in the lookback: its count in the range',
  },
];

export const DEFAULT_QUERY: Partial<CountsQuery> = { mode: 'range' };
