import {
  type Category,
  type Classification,
  type Outcome,
  type Severity,
  isCategory,
  isClassification,
  isOutcome,
  isSeverity,
} from './enums';

/** The Event viewer's filters. Empty string / empty array = no filter. Time range lives beside it (see urlState). */
export interface AuditFilters {
  /** Case-insensitive substring of the description (log line) or the event type. */
  search: string;
  categories: Category[];
  severities: Severity[];
  /** Exact event type, e.g. `user.created`. */
  eventType: string;
  /** Exact `service_name`. */
  service: string;
  /** Exact user id, or e-mail (case-insensitive, whole value). */
  actor: string;
  targetType: string;
  targetId: string;
  outcome: Outcome | '';
  /** Exact audit id: a link to one event (from the Overview). */
  eventId: string;
  /** Exact request id / trace id: the events of one request, across services. */
  requestId: string;
  traceId: string;
  /** Exact infrastructure stack and region the event concerns. */
  stack: string;
  region: string;
  /** Events touching this kind of data (pii, phi, …). */
  classification: Classification | '';
}

export const defaultFilters: AuditFilters = {
  search: '',
  categories: [],
  severities: [],
  eventType: '',
  service: '',
  actor: '',
  targetType: '',
  targetId: '',
  outcome: '',
  eventId: '',
  requestId: '',
  traceId: '',
  stack: '',
  region: '',
  classification: '',
};

export const makeFilters = (overrides?: Partial<AuditFilters>): AuditFilters => ({ ...defaultFilters, ...overrides });

export function hasActiveFilters(f: AuditFilters): boolean {
  return (
    f.search !== '' ||
    f.categories.length > 0 ||
    f.severities.length > 0 ||
    f.eventType !== '' ||
    f.service !== '' ||
    f.actor !== '' ||
    f.targetType !== '' ||
    f.targetId !== '' ||
    f.outcome !== '' ||
    f.eventId !== '' ||
    f.requestId !== '' ||
    f.traceId !== '' ||
    f.stack !== '' ||
    f.region !== '' ||
    f.classification !== ''
  );
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = <T>(v: unknown, guard: (x: unknown) => x is T): T[] => {
  const arr = Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? v.split(',') : [];
  return [...new Set(arr.filter(guard))];
};

/** Narrows untrusted input (test vectors, stored state) to filters; unknown values are dropped, never cast. */
export function narrowFilters(o: unknown): AuditFilters {
  if (typeof o !== 'object' || o === null) {
    return { ...defaultFilters };
  }
  const r = o as Record<string, unknown>;
  const outcome = r.outcome;
  const classification = r.classification;
  return {
    search: str(r.search),
    categories: list(r.categories, isCategory),
    severities: list(r.severities, isSeverity),
    eventType: str(r.eventType).trim(),
    service: str(r.service).trim(),
    actor: str(r.actor).trim(),
    targetType: str(r.targetType).trim(),
    targetId: str(r.targetId).trim(),
    outcome: isOutcome(outcome) ? outcome : '',
    eventId: str(r.eventId).trim(),
    requestId: str(r.requestId).trim(),
    traceId: str(r.traceId).trim(),
    stack: str(r.stack).trim(),
    region: str(r.region).trim(),
    classification: isClassification(classification) ? classification : '',
  };
}
