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
export function prepareEvent(
  input: AuditEventInput,
  ctx: AuditRequestContext | undefined,
  limits: Required<AuditLimits>
): PreparedEvent {
  const issues: AuditValidationIssue[] = [];
  const fail = (field: string, message: string): void => {
    if (!issues.some((i) => i.field === field)) {
      issues.push({ field, message });
    }
  };
  if (input === null || typeof input !== 'object') {
    throw new AuditValidationError([{ field: '(event)', message: 'must be an object' }]);
  }
  const attributes: Record<string, string> = {};
  // Upper bound of the UTF-8 size (3 bytes per UTF-16 unit); the exact size is computed only near the limit.
  let attrUpperBytes = 0;
  const put = (key: string, field: string, value: unknown, max = limits.maxFieldBytes): void => {
    // Fast path: a short, well-formed string.
    if (typeof value === 'string' && value.length > 0 && value.length * 3 <= max && value.isWellFormed()) {
      attributes[key] = value;
      attrUpperBytes += key.length + value.length * 3;
      return;
    }
    if (value === undefined || value === null) {
      return;
    }
    if (typeof value !== 'string') {
      fail(field, `must be a string, got ${typeof value}`);
      return;
    }
    if (value.length === 0) {
      fail(field, 'must not be empty');
      return;
    }
    const v = wellFormed(value);
    const bytes = utf8Length(v, max);
    if (bytes > max) {
      fail(field, `is ${bytes} bytes, limit ${max}`);
      return;
    }
    attributes[key] = v;
    attrUpperBytes += key.length + v.length * 3;
  };

  // Required identity of the event.
  const { type, category, action } = input;
  if (!validName(EVENT_TYPE_RE, validTypes, type)) {
    fail('type', 'required: lowercase dotted name like "user.created" (a-z 0-9 _ -, max 16 segments)');
  } else if (type.length > 128) {
    fail('type', 'longer than 128 characters');
  }
  if (typeof category !== 'string' || !categories.has(category)) {
    fail('category', `required, one of ${AUDIT_CATEGORIES.join(', ')}`);
  }
  if (!validName(ACTION_RE, validActions, action)) {
    fail('action', 'required: lowercase verb like "create", "login" (max 64 characters)');
  }
  const outcome = input.outcome ?? 'success';
  if (!outcomes.has(outcome)) {
    fail('outcome', `one of ${AUDIT_OUTCOMES.join(', ')}`);
  }
  const severity = (input.severity ?? 'INFO') as AuditSeverity;
  if (!severities.has(severity)) {
    fail('severity', `one of ${AUDIT_SEVERITIES.join(', ')}`);
  }

  let id = input.id;
  if (id === undefined) {
    id = uuidv7();
  } else if (typeof id !== 'string' || !uuidValidate(id)) {
    fail('id', 'must be a UUID');
  }
  let timestampMillis: number;
  if (input.timestamp === undefined) {
    timestampMillis = Date.now();
  } else {
    timestampMillis = input.timestamp instanceof Date ? input.timestamp.getTime() : input.timestamp;
    if (typeof timestampMillis !== 'number' || !Number.isFinite(timestampMillis) || timestampMillis < 0) {
      fail('timestamp', 'must be a valid Date or epoch milliseconds');
      timestampMillis = 0;
    }
  }

  put(ATTR.id, 'id', id);
  put(ATTR.event, 'type', type);
  put(ATTR.category, 'category', category);
  put(ATTR.action, 'action', action);
  put(ATTR.outcome, 'outcome', outcome);

  // Actor: the event's own, else the request context's.
  const ectx = input.context;
  const actor = input.actor ?? ectx?.actor ?? ctx?.actor;
  if (actor === undefined || actor === null || typeof actor !== 'object') {
    fail('actor', 'required: pass actor {id, …} or record inside a request context that has one');
  } else {
    if (typeof actor.id !== 'string' || actor.id.length === 0) {
      fail('actor.id', 'required non-empty string');
    }
    put(ATTR.userId, 'actor.id', actor.id);
    put(ATTR.userEmail, 'actor.email', actor.email);
    put(ATTR.userName, 'actor.name', actor.name);
    const actorType = actor.type ?? 'user';
    if (!actorTypes.has(actorType)) {
      fail('actor.type', `one of ${ACTOR_TYPES.join(', ')}`);
    }
    put(ATTR.actorType, 'actor.type', actorType);
    if (actor.roles !== undefined) {
      if (!Array.isArray(actor.roles)) {
        fail('actor.roles', 'must be an array of strings');
      } else if (actor.roles.length > limits.maxRoles) {
        fail('actor.roles', `more than ${limits.maxRoles} roles`);
      } else if (actor.roles.some((r) => typeof r !== 'string' || r.length === 0 || r.includes(','))) {
        fail('actor.roles', 'each role must be a non-empty string without commas');
      } else if (actor.roles.length > 0) {
        put(ATTR.userRoles, 'actor.roles', actor.roles.join(','));
      }
    }
  }

  const target = input.target;
  if (target !== undefined) {
    if (target === null || typeof target !== 'object') {
      fail('target', 'must be an object {type, id?, name?}');
    } else {
      if (typeof target.type !== 'string' || target.type.length === 0) {
        fail('target.type', 'required when a target is given');
      }
      put(ATTR.targetType, 'target.type', target.type);
      put(ATTR.targetId, 'target.id', target.id);
      put(ATTR.targetName, 'target.name', target.name);
    }
  }

  put(ATTR.clientAddress, 'context.clientAddress', ectx?.clientAddress ?? ctx?.clientAddress);
  put(ATTR.userAgent, 'context.userAgent', ectx?.userAgent ?? ctx?.userAgent);
  put(ATTR.sessionId, 'context.sessionId', ectx?.sessionId ?? ctx?.sessionId);
  put(ATTR.requestId, 'context.requestId', ectx?.requestId ?? ctx?.requestId);

  if (input.classification !== undefined) {
    if (!Array.isArray(input.classification) || input.classification.some((c) => !classifications.has(c))) {
      fail('classification', `array of ${DATA_CLASSIFICATIONS.join(', ')}`);
    } else if (input.classification.length > 0) {
      put(ATTR.classification, 'classification', [...new Set(input.classification)].join(','));
    }
  }
  if (input.compliance !== undefined) {
    if (!Array.isArray(input.compliance) || input.compliance.some((c) => !frameworks.has(c))) {
      fail('compliance', `array of ${COMPLIANCE_FRAMEWORKS.join(', ')}`);
    } else if (input.compliance.length > 0) {
      put(ATTR.compliance, 'compliance', [...new Set(input.compliance)].join(','));
    }
  }

  // Structured payloads: serialised now, so later mutation by the caller changes nothing.
  const budget = limits.maxAttributesBytes;
  const json = (key: string, field: string, value: unknown): void => {
    if (value === undefined) {
      return;
    }
    try {
      const text = safeJsonStringify(value, { maxDepth: limits.maxDepth, maxLength: budget });
      put(key, field, text, budget);
    } catch (e) {
      if (e instanceof SerializedTooLargeError) {
        fail(field, `serialises to more than ${budget} characters`);
      } else {
        fail(field, 'cannot be serialised');
      }
    }
  };
  const changes = input.changes;
  if (changes !== undefined) {
    if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
      fail('changes', 'must be an object {before?, after?}');
    } else {
      json(ATTR.changes, 'changes', { before: changes.before ?? null, after: changes.after ?? null });
    }
  }
  if (input.metadata !== undefined) {
    if (input.metadata === null || typeof input.metadata !== 'object' || Array.isArray(input.metadata)) {
      fail('metadata', 'must be a plain object');
    } else {
      json(ATTR.metadata, 'metadata', input.metadata);
    }
  }

  let body: string = typeof type === 'string' ? type : '';
  if (input.description !== undefined) {
    if (typeof input.description !== 'string' || input.description.length === 0) {
      fail('description', 'must be a non-empty string');
    } else {
      body = wellFormed(input.description);
      const bytes = utf8Length(body, limits.maxDescriptionBytes);
      if (bytes > limits.maxDescriptionBytes) {
        fail('description', `is ${bytes} bytes, limit ${limits.maxDescriptionBytes}`);
      }
    }
  }

  let attrBytes = attrUpperBytes;
  if (attrUpperBytes + PROCESSOR_HEADROOM_BYTES > budget) {
    attrBytes = 0;
    for (const k of Object.keys(attributes)) {
      attrBytes += k.length + Buffer.byteLength(attributes[k], 'utf8');
    }
  }
  if (attrBytes + PROCESSOR_HEADROOM_BYTES > budget) {
    fail(
      '(event)',
      `attributes total ${attrBytes} bytes, limit ${budget - PROCESSOR_HEADROOM_BYTES} (Loki structured metadata)`
    );
  }
  if (issues.length > 0) {
    throw new AuditValidationError(issues);
  }
  return {
    id: id as string,
    type,
    timestampMillis,
    severityText: severity,
    severityNumber: SEVERITY_NUMBERS[severity],
    body,
    attributes,
  };
}
