// Audit alert rules (pkg/plugin/alerts.go): Grafana-managed rules over the counts datasource, routed to
// Grafana contact points. Org Admins only.
import { getResource, sendResource } from './backendApi';
import { type Category, type Outcome, type Severity } from './enums';

export type AlertKind = 'count' | 'silence';

/** The editable fields of a rule, as the form sends them. */
export interface AlertRuleInput {
  name: string;
  description: string;
  kind: AlertKind;
  categories: Category[];
  severity: Severity;
  eventTypes: string[];
  actor: string;
  outcome: Outcome | '';
  changedTo: string;
  perActor: boolean;
  threshold: number;
  windowMinutes: number;
  contactPoints: string[];
  active: boolean;
}

export interface AlertRule extends AlertRuleInput {
  uid: string;
  starter?: string;
  lastTriggered: string | null;
  triggerCount: number;
  firing: boolean;
}

export interface AlertList {
  rules: AlertRule[];
  /** Starter rules not yet enabled. */
  starters: AlertRule[];
  /** Set when Grafana's state history could not be read (the counts are then missing). */
  historyError: string;
}

export interface ContactPoint {
  name: string;
  types: string[];
}

export interface NewContactPoint {
  name: string;
  type: 'email' | 'slack' | 'webhook';
  addresses?: string;
  url?: string;
}

export interface TestResult {
  contactPoint: string;
  integration: string;
  type: string;
  status: string;
  error?: string;
}

const uidPath = (uid: string) => `alerts/${encodeURIComponent(uid)}`;

export const listAlerts = (signal?: AbortSignal) => getResource<AlertList>('alerts', {}, signal);
export const createAlert = (rule: AlertRuleInput) => sendResource<AlertRule>('POST', 'alerts', inputOf(rule));
export const updateAlert = (uid: string, rule: AlertRuleInput) =>
  sendResource<AlertRule>('PUT', uidPath(uid), inputOf(rule));
export const setAlertActive = (uid: string, active: boolean) =>
  sendResource<AlertRule>('PUT', `${uidPath(uid)}/active`, { active });
export const deleteAlert = (uid: string) => sendResource<unknown>('DELETE', uidPath(uid));
export const testAlert = (uid: string) =>
  sendResource<{ delivered: boolean; results: TestResult[] }>('POST', `${uidPath(uid)}/test`);
export const enableStarter = (id: string, contactPoints: string[]) =>
  sendResource<AlertRule>('POST', `alert-starters/${encodeURIComponent(id)}`, { contactPoints });
export const listContactPoints = (signal?: AbortSignal) =>
  getResource<{ contactPoints: ContactPoint[]; default: string }>('alerts/contact-points', {}, signal);
export const createContactPoint = (cp: NewContactPoint) =>
  sendResource<ContactPoint>('POST', 'alerts/contact-points', cp);

/** Only the fields the route accepts (a listed rule carries read-only ones too). */
export function inputOf(r: AlertRuleInput): AlertRuleInput {
  return {
    name: r.name,
    description: r.description,
    kind: r.kind,
    categories: r.categories,
    severity: r.severity,
    eventTypes: r.eventTypes,
    actor: r.actor,
    outcome: r.outcome,
    changedTo: r.changedTo,
    perActor: r.perActor,
    threshold: r.threshold,
    windowMinutes: r.windowMinutes,
    contactPoints: r.contactPoints,
    active: r.active,
  };
}

export const EMPTY_RULE: AlertRuleInput = {
  name: '',
  description: '',
  kind: 'count',
  categories: [],
  severity: 'CRITICAL',
  eventTypes: [],
  actor: '',
  outcome: '',
  changedTo: '',
  perActor: false,
  threshold: 1,
  windowMinutes: 5,
  contactPoints: [],
  active: true,
};

/** What the form checks before sending (the backend checks the same and more). */
export function validateRule(r: AlertRuleInput): Partial<Record<keyof AlertRuleInput, string>> {
  const errors: Partial<Record<keyof AlertRuleInput, string>> = {};
  if (!r.name.trim()) {
    errors.name = 'A name is required';
  }
  if (r.categories.length === 0) {
    errors.categories = 'Pick at least one event category';
  }
  if (r.contactPoints.length === 0) {
    errors.contactPoints = 'Pick at least one contact point';
  }
  if (!Number.isInteger(r.threshold) || r.threshold < 1) {
    errors.threshold = 'At least 1 event';
  }
  if (!Number.isInteger(r.windowMinutes) || r.windowMinutes < 1 || r.windowMinutes > 1440) {
    errors.windowMinutes = 'From 1 to 1440 minutes';
  }
  return errors;
}

/** "at least 5 events in 10 min, per actor" */
export function describeCondition(r: AlertRuleInput): string {
  if (r.kind === 'silence') {
    return `a service sends nothing for ${r.windowMinutes} min`;
  }
  const n = r.threshold === 1 ? 'any event' : `at least ${r.threshold} events`;
  return `${n} in ${r.windowMinutes} min${r.perActor ? ', per actor' : ''}`;
}
