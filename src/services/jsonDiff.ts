// Before/after changes of an edit, as rows of a side-by-side view with the changed fields marked.
import { parseJsonSafe } from './auditEvent';

export type DiffKind = 'same' | 'changed' | 'added' | 'removed';

export interface DiffRow {
  /** Dotted path of the top-level field (nested objects are compared deeply but shown whole). */
  key: string;
  kind: DiffKind;
  before?: string;
  after?: string;
}

export type ChangesView =
  | { kind: 'diff'; rows: DiffRow[] }
  | { kind: 'json'; pretty: string }
  | { kind: 'raw'; raw: string }
  | { kind: 'none' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** Compares the fields of two objects. */
export function diffObjects(before: Record<string, unknown>, after: Record<string, unknown>): DiffRow[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.map((key) => {
    const inB = Object.prototype.hasOwnProperty.call(before, key);
    const inA = Object.prototype.hasOwnProperty.call(after, key);
    if (inB && !inA) {
      return { key, kind: 'removed', before: pretty(before[key]) };
    }
    if (!inB && inA) {
      return { key, kind: 'added', after: pretty(after[key]) };
    }
    return {
      key,
      kind: deepEqual(before[key], after[key]) ? 'same' : 'changed',
      before: pretty(before[key]),
      after: pretty(after[key]),
    };
  });
}

/** Reads `audit_changes` (`{"before":{..},"after":{..}}`); anything else degrades to formatted or raw text. */
export function changesView(raw: string): ChangesView {
  if (raw.trim() === '') {
    return { kind: 'none' };
  }
  const parsed = parseJsonSafe(raw);
  if (!parsed.ok) {
    return { kind: 'raw', raw };
  }
  const v = parsed.value;
  if (isObject(v) && ('before' in v || 'after' in v)) {
    const before = v.before ?? {};
    const after = v.after ?? {};
    if ((isObject(before) || before === null) && (isObject(after) || after === null)) {
      return { kind: 'diff', rows: diffObjects(before ?? {}, after ?? {}) };
    }
  }
  return { kind: 'json', pretty: pretty(v) };
}
