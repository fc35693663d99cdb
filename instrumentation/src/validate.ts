import { v7 as uuidv7, validate as uuidValidate } from 'uuid';
import { AuditValidationError, type AuditValidationIssue } from './errors';
import { safeJsonStringify, SerializedTooLargeError } from './safeJson';
import {
  ACTOR_TYPES,
  ATTR,
  AUDIT_CATEGORIES,
  AUDIT_OUTCOMES,
  AUDIT_SEVERITIES,
  COMPLIANCE_FRAMEWORKS,
  DATA_CLASSIFICATIONS,
  SEVERITY_NUMBERS,
  type AuditSeverity,
} from './schema';
import type { AuditEventInput, AuditLimits, AuditRequestContext } from './types';

/** A validated event, ready to be emitted as one LogRecord. */
export interface PreparedEvent {
  id: string;
  type: string;
  timestampMillis: number;
  severityText: AuditSeverity;
  severityNumber: number;
  body: string;
  attributes: Record<string, string>;
}

export const DEFAULT_LIMITS: Required<AuditLimits> = {
  maxAttributesBytes: 56 * 1024,
  maxDescriptionBytes: 32 * 1024,
  maxFieldBytes: 1024,
  maxRoles: 64,
  maxDepth: 16,
};

const EVENT_TYPE_RE = /^[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+){0,15}$/;
const ACTION_RE = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Event types and actions already found valid (a service uses a few hundred at most). */
const validTypes = new Set<string>();
const validActions = new Set<string>();
const validName = (re: RegExp, seen: Set<string>, v: unknown): boolean => {
  if (typeof v !== 'string') {
    return false;
  }
  if (seen.has(v)) {
    return true;
  }
  if (!re.test(v)) {
    return false;
  }
  if (seen.size < 10_000) {
    seen.add(v);
  }
  return true;
};
const categories = new Set<string>(AUDIT_CATEGORIES);
const outcomes = new Set<string>(AUDIT_OUTCOMES);
const severities = new Set<string>(AUDIT_SEVERITIES);
const actorTypes = new Set<string>(ACTOR_TYPES);
const frameworks = new Set<string>(COMPLIANCE_FRAMEWORKS);
const classifications = new Set<string>(DATA_CLASSIFICATIONS);
// Attributes added after record() by the processors: compliance + chain, with room for redaction markers.
const PROCESSOR_HEADROOM_BYTES = 512;

const wellFormed = (s: string): string => (s.isWellFormed() ? s : s.toWellFormed());
/** Exact UTF-8 length only when the cheap bound is not enough. */
const utf8Length = (s: string, limit: number): number =>
  s.length * 3 <= limit ? s.length : Buffer.byteLength(s, 'utf8');

/**
 * Validates `input` merged with the request context and turns it into wire attributes.
 * Throws AuditValidationError listing every problem; never returns a partial event.
 */
/** Collects the attributes of one event and the issues found on the way; every step writes through it. */
class EventBuilder {
  readonly attributes: Record<string, string> = {};
  readonly issues: AuditValidationIssue[] = [];
  /** Upper bound of the UTF-8 size (3 bytes per UTF-16 unit); the exact size is computed only near the limit. */
  upperBytes = 0;

  constructor(readonly limits: Required<AuditLimits>) {}

  fail(field: string, message: string): void {
    if (!this.issues.some((i) => i.field === field)) {
      this.issues.push({ field, message });
    }
  }

  put(key: string, field: string, value: unknown, max = this.limits.maxFieldBytes): void {
    // Fast path: a short, well-formed string.
    if (typeof value === 'string' && value.length > 0 && value.length * 3 <= max && value.isWellFormed()) {
      this.attributes[key] = value;
      this.upperBytes += key.length + value.length * 3;
      return;
    }
    if (value === undefined || value === null) {
      return;
    }
    if (typeof value !== 'string') {
      this.fail(field, `must be a string, got ${typeof value}`);
      return;
    }
    if (value.length === 0) {
      this.fail(field, 'must not be empty');
      return;
    }
    const v = wellFormed(value);
    const bytes = utf8Length(v, max);
    if (bytes > max) {
      this.fail(field, `is ${bytes} bytes, limit ${max}`);
      return;
    }
    this.attributes[key] = v;
    this.upperBytes += key.length + v.length * 3;
  }

  /** A field that must be a non-empty string. */
  required(field: string, value: unknown, message: string): void {
    if (typeof value !== 'string' || value.length === 0) {
      this.fail(field, message);
    }
  }

  /** Structured payloads are serialised now, so later mutation by the caller changes nothing. */
  json(key: string, field: string, value: unknown): void {
    if (value === undefined) {
      return;
    }
    const budget = this.limits.maxAttributesBytes;
    try {
      this.put(key, field, safeJsonStringify(value, { maxDepth: this.limits.maxDepth, maxLength: budget }), budget);
    } catch (e) {
      this.fail(
        field,
        e instanceof SerializedTooLargeError ? `serialises to more than ${budget} characters` : 'cannot be serialised'
      );
    }
  }

  /** A closed list, written comma-separated when valid and non-empty. */
  list(key: string, field: string, value: unknown, allowed: Set<string>, names: readonly string[]): void {
    if (value === undefined) {
      return;
    }
    if (!Array.isArray(value) || value.some((c) => !allowed.has(c))) {
      this.fail(field, `array of ${names.join(', ')}`);
    } else if (value.length > 0) {
      this.put(key, field, [...new Set(value)].join(','));
    }
  }
}

/** type, category, action, outcome, severity, id and time. */
function identity(b: EventBuilder, input: AuditEventInput) {
  const { type, category, action } = input;
  if (!validName(EVENT_TYPE_RE, validTypes, type)) {
    b.fail('type', 'required: lowercase dotted name like "user.created" (a-z 0-9 _ -, max 16 segments)');
  } else if (type.length > 128) {
    b.fail('type', 'longer than 128 characters');
  }
  if (typeof category !== 'string' || !categories.has(category)) {
    b.fail('category', `required, one of ${AUDIT_CATEGORIES.join(', ')}`);
  }
  if (!validName(ACTION_RE, validActions, action)) {
    b.fail('action', 'required: lowercase verb like "create", "login" (max 64 characters)');
  }
  const outcome = input.outcome ?? 'success';
  if (!outcomes.has(outcome)) {
    b.fail('outcome', `one of ${AUDIT_OUTCOMES.join(', ')}`);
  }
  const severity = (input.severity ?? 'INFO') as AuditSeverity;
  if (!severities.has(severity)) {
    b.fail('severity', `one of ${AUDIT_SEVERITIES.join(', ')}`);
  }
  let id = input.id;
  if (id === undefined) {
    id = uuidv7();
  } else if (typeof id !== 'string' || !uuidValidate(id)) {
    b.fail('id', 'must be a UUID');
  }
  let timestampMillis: number;
  if (input.timestamp === undefined) {
    timestampMillis = Date.now();
  } else {
    timestampMillis = input.timestamp instanceof Date ? input.timestamp.getTime() : input.timestamp;
    if (typeof timestampMillis !== 'number' || !Number.isFinite(timestampMillis) || timestampMillis < 0) {
      b.fail('timestamp', 'must be a valid Date or epoch milliseconds');
      timestampMillis = 0;
    }
  }
  b.put(ATTR.id, 'id', id);
  b.put(ATTR.event, 'type', type);
  b.put(ATTR.category, 'category', category);
  b.put(ATTR.action, 'action', action);
  b.put(ATTR.outcome, 'outcome', outcome);
  return { id: id as string, type, severity, timestampMillis };
}

/** The actor: the event's own, else the request context's. */
function actorOf(b: EventBuilder, input: AuditEventInput, ctx: AuditRequestContext | undefined): void {
  const actor = input.actor ?? input.context?.actor ?? ctx?.actor;
  if (actor === undefined || actor === null || typeof actor !== 'object') {
    b.fail('actor', 'required: pass actor {id, …} or record inside a request context that has one');
    return;
  }
  b.required('actor.id', actor.id, 'required non-empty string');
  b.put(ATTR.userId, 'actor.id', actor.id);
  b.put(ATTR.userEmail, 'actor.email', actor.email);
  b.put(ATTR.userName, 'actor.name', actor.name);
  const actorType = actor.type ?? 'user';
  if (!actorTypes.has(actorType)) {
    b.fail('actor.type', `one of ${ACTOR_TYPES.join(', ')}`);
  }
  b.put(ATTR.actorType, 'actor.type', actorType);
  if (actor.roles !== undefined) {
    if (!Array.isArray(actor.roles)) {
      b.fail('actor.roles', 'must be an array of strings');
    } else if (actor.roles.length > b.limits.maxRoles) {
      b.fail('actor.roles', `more than ${b.limits.maxRoles} roles`);
    } else if (actor.roles.some((r) => typeof r !== 'string' || r.length === 0 || r.includes(','))) {
      b.fail('actor.roles', 'each role must be a non-empty string without commas');
    } else if (actor.roles.length > 0) {
      b.put(ATTR.userRoles, 'actor.roles', actor.roles.join(','));
    }
  }
}

function targetOf(b: EventBuilder, input: AuditEventInput): void {
  const target = input.target;
  if (target === undefined) {
    return;
  }
  if (target === null || typeof target !== 'object') {
    b.fail('target', 'must be an object {type, id?, name?}');
    return;
  }
  b.required('target.type', target.type, 'required when a target is given');
  b.put(ATTR.targetType, 'target.type', target.type);
  b.put(ATTR.targetId, 'target.id', target.id);
  b.put(ATTR.targetName, 'target.name', target.name);
}

/** Where from: the event's own context, else the request context's. */
function requestContext(b: EventBuilder, input: AuditEventInput, ctx: AuditRequestContext | undefined): void {
  const ectx = input.context;
  b.put(ATTR.clientAddress, 'context.clientAddress', ectx?.clientAddress ?? ctx?.clientAddress);
  b.put(ATTR.userAgent, 'context.userAgent', ectx?.userAgent ?? ctx?.userAgent);
  b.put(ATTR.sessionId, 'context.sessionId', ectx?.sessionId ?? ctx?.sessionId);
  b.put(ATTR.requestId, 'context.requestId', ectx?.requestId ?? ctx?.requestId);
  b.put(ATTR.stack, 'stack', input.stack);
  b.put(ATTR.region, 'region', input.region);
}

function payloads(b: EventBuilder, input: AuditEventInput): void {
  const changes = input.changes;
  if (changes !== undefined) {
    if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
      b.fail('changes', 'must be an object {before?, after?}');
    } else {
      b.json(ATTR.changes, 'changes', { before: changes.before ?? null, after: changes.after ?? null });
    }
  }
  if (input.metadata !== undefined) {
    if (input.metadata === null || typeof input.metadata !== 'object' || Array.isArray(input.metadata)) {
      b.fail('metadata', 'must be a plain object');
    } else {
      b.json(ATTR.metadata, 'metadata', input.metadata);
    }
  }
}

/** The body: the description, or the event type when there is none. */
function description(b: EventBuilder, input: AuditEventInput): string {
  let body: string = typeof input.type === 'string' ? input.type : '';
  if (input.description !== undefined) {
    if (typeof input.description !== 'string' || input.description.length === 0) {
      b.fail('description', 'must be a non-empty string');
    } else {
      body = wellFormed(input.description);
      const bytes = utf8Length(body, b.limits.maxDescriptionBytes);
      if (bytes > b.limits.maxDescriptionBytes) {
        b.fail('description', `is ${bytes} bytes, limit ${b.limits.maxDescriptionBytes}`);
      }
    }
  }
  return body;
}

/** All attributes together must fit Loki's structured-metadata limit, with room for the processors. */
function checkTotalSize(b: EventBuilder): void {
  const budget = b.limits.maxAttributesBytes;
  let attrBytes = b.upperBytes;
  if (b.upperBytes + PROCESSOR_HEADROOM_BYTES > budget) {
    attrBytes = 0;
    for (const k of Object.keys(b.attributes)) {
      attrBytes += k.length + Buffer.byteLength(b.attributes[k], 'utf8');
    }
  }
  if (attrBytes + PROCESSOR_HEADROOM_BYTES > budget) {
    b.fail(
      '(event)',
      `attributes total ${attrBytes} bytes, limit ${budget - PROCESSOR_HEADROOM_BYTES} (Loki structured metadata)`
    );
  }
}

export function prepareEvent(
  input: AuditEventInput,
  ctx: AuditRequestContext | undefined,
  limits: Required<AuditLimits>
): PreparedEvent {
  if (input === null || typeof input !== 'object') {
    throw new AuditValidationError([{ field: '(event)', message: 'must be an object' }]);
  }
  const b = new EventBuilder(limits);
  const { id, type, severity, timestampMillis } = identity(b, input);
  actorOf(b, input, ctx);
  targetOf(b, input);
  requestContext(b, input, ctx);
  b.list(ATTR.classification, 'classification', input.classification, classifications, DATA_CLASSIFICATIONS);
  b.list(ATTR.compliance, 'compliance', input.compliance, frameworks, COMPLIANCE_FRAMEWORKS);
  payloads(b, input);
  const body = description(b, input);
  checkTotalSize(b);
  if (b.issues.length > 0) {
    throw new AuditValidationError(b.issues);
  }
  return {
    id,
    type,
    timestampMillis,
    severityText: severity,
    severityNumber: SEVERITY_NUMBERS[severity],
    body,
    attributes: b.attributes,
  };
}
