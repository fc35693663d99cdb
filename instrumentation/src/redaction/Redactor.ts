import { BUILTIN_PATTERNS, marker, SECRET_FIELD_PAIRS, SECRET_FIELD_WORDS, type SecretPattern } from './patterns';

export interface RedactorOptions {
  /** Extra value patterns, tried after the built-in ones. */
  extraPatterns?: readonly SecretPattern[];
  /** Extra secret field names: a string is matched as a whole word or word pair; a RegExp against the raw name. */
  extraFieldNames?: ReadonlyArray<string | RegExp>;
  /** Kind named in the marker for extra field names. Default `secret`. */
  extraFieldKind?: string;
  /** Leave out the built-in value patterns (tests, or callers with their own set). Default false. */
  disableBuiltinPatterns?: boolean;
}

interface CompiledSet {
  re: RegExp;
  entries: Array<{ pattern: SecretPattern; group: number; groupCount: number }>;
}

const MAX_DEPTH = 64;
const FIELD_CACHE_LIMIT = 4096;

/** Number of capture groups a regex source declares. */
function countGroups(source: string, flags: string): number {
  return (new RegExp(`${source}|`, flags).exec('') as RegExpExecArray).length - 1;
}

/** Splits a field name into lowercase words: `userPassword` → [user, password], `api_key` → [api, key]. */
export function fieldWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * Pure redaction engine used by RedactionProcessor. Every public method returns a value and never throws.
 */
export class Redactor {
  private readonly _sets: CompiledSet[];
  private readonly _extraWords = new Map<string, string>();
  private readonly _extraRegexps: RegExp[] = [];
  private readonly _extraKind: string;
  private readonly _fieldCache = new Map<string, string | null>();
  private readonly _fieldQuick: RegExp | null;

  constructor(options: RedactorOptions = {}) {
    const patterns = [...(options.disableBuiltinPatterns ? [] : BUILTIN_PATTERNS), ...(options.extraPatterns ?? [])];
    const byFlags = new Map<string, SecretPattern[]>();
    for (const p of patterns) {
      const f = p.flags ?? '';
      byFlags.set(f, [...(byFlags.get(f) ?? []), p]);
    }
    this._sets = [...byFlags.entries()].map(([flags, list]) => {
      let group = 1;
      const entries = list.map((pattern) => {
        const groupCount = countGroups(pattern.source, flags);
        const e = { pattern, group, groupCount };
        group += groupCount + 1;
        return e;
      });
      return { re: new RegExp(list.map((p) => `(${p.source})`).join('|'), `g${flags}`), entries };
    });
    this._extraKind = options.extraFieldKind ?? 'secret';
    for (const n of options.extraFieldNames ?? []) {
      if (typeof n === 'string') {
        this._extraWords.set(fieldWords(n).join(' '), this._extraKind);
      } else {
        this._extraRegexps.push(new RegExp(n.source, n.flags.replace(/[gy]/g, '')));
      }
    }
    // Cheap pre-test on JSON text: a superset of every secret field name (false positives only cost a parse).
    const quickWords = [
      ...Object.keys(SECRET_FIELD_WORDS),
      ...Object.keys(SECRET_FIELD_PAIRS).map((p) => p.replace(' ', '.{0,3}')),
      ...[...this._extraWords.keys()].map((p) => p.split(' ').join('.{0,3}')),
    ];
    this._fieldQuick = this._extraRegexps.length > 0 ? null : new RegExp(quickWords.join('|'), 'i');
  }

  /** Kind of secret a field name denotes, or undefined. */
  secretFieldKind(name: string): string | undefined {
    const cached = this._fieldCache.get(name);
    if (cached !== undefined) {
      return cached ?? undefined;
    }
    let kind: string | null = null;
    try {
      kind = this._classifyField(name);
    } catch {
      kind = null;
    }
    if (this._fieldCache.size >= FIELD_CACHE_LIMIT) {
      this._fieldCache.clear();
    }
    this._fieldCache.set(name, kind);
    return kind ?? undefined;
  }

  private _classifyField(name: string): string | null {
    for (const re of this._extraRegexps) {
      if (re.test(name)) {
        return this._extraKind;
      }
    }
    const words = fieldWords(name);
    const joined = words.join(' ');
    for (const [phrase, kind] of this._extraWords) {
      if (
        phrase.length > 0 &&
        (` ${joined} `.includes(` ${phrase} `) || joined.replace(/ /g, '') === phrase.replace(/ /g, ''))
      ) {
        return kind;
      }
    }
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      const single = SECRET_FIELD_WORDS[w];
      if (single !== undefined && Object.prototype.hasOwnProperty.call(SECRET_FIELD_WORDS, w)) {
        return single;
      }
      if (i + 1 < words.length) {
        const pair = `${w} ${words[i + 1]}`;
        if (Object.prototype.hasOwnProperty.call(SECRET_FIELD_PAIRS, pair)) {
          return SECRET_FIELD_PAIRS[pair];
        }
      }
    }
    return null;
  }

  /** Replaces every secret found in `s` by its marker. */
  redactString(s: string): string {
    try {
      let out = s;
      for (const set of this._sets) {
        set.re.lastIndex = 0;
        if (!set.re.test(out)) {
          continue;
        }
        set.re.lastIndex = 0;
        out = out.replace(set.re, (...args: unknown[]) => this._replace(set, args));
      }
      return out;
    } catch {
      return marker('unscannable');
    }
  }

  private _replace(set: CompiledSet, args: unknown[]): string {
    const match = args[0] as string;
    for (const e of set.entries) {
      if (args[e.group] !== undefined) {
        const groups = args.slice(e.group + 1, e.group + 1 + e.groupCount) as Array<string | undefined>;
        const m = marker(e.pattern.kind);
        // String.replace passes the match's offset and the whole input last (no named groups here).
        const at = { offset: args[args.length - 2] as number, input: args[args.length - 1] as string };
        return e.pattern.replace ? e.pattern.replace(match, groups, m, at) : m;
      }
    }
    return match;
  }

  /** Redacts a parsed JSON-like value: secret-named fields at any depth and secrets inside strings. */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') {
      return this.redactString(value);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if (depth >= MAX_DEPTH) {
      return '[truncated]';
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.redactValue(v, depth + 1));
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const kind = this.secretFieldKind(key);
      const v = (value as Record<string, unknown>)[key];
      const redacted = kind !== undefined && v !== null && v !== '' ? marker(kind) : this.redactValue(v, depth + 1);
      // defineProperty: a `__proto__` key stays plain data and never touches the prototype.
      Object.defineProperty(out, key, { value: redacted, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /**
   * Redacts a JSON text (audit.changes, audit.metadata). Text that shows no sign of a secret is
   * returned as is without parsing. Text that cannot be parsed is scanned as a plain string, and
   * replaced entirely when it mentions a secret field name.
   */
  redactJson(text: string): string {
    try {
      const fieldHit = this._fieldQuick === null || this._fieldQuick.test(text);
      if (!fieldHit && !this._anyPatternHit(text)) {
        return text;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return fieldHit ? marker('unparseable') : this.redactString(text);
      }
      return JSON.stringify(this.redactValue(parsed));
    } catch {
      return marker('unscannable');
    }
  }

  /**
   * Cheap pre-test: false only when neither a secret pattern nor a secret field name can occur in
   * `text` (plain values and JSON texts joined with newlines) and `jsonTexts`. A true result only
   * means the values must be scanned one by one.
   */
  mightContainSecret(text: string, jsonTexts: readonly string[]): boolean {
    try {
      for (const j of jsonTexts) {
        if (this._fieldQuick === null || this._fieldQuick.test(j) || j.includes('\\u')) {
          return true;
        }
      }
      return this._anyPatternHit(text);
    } catch {
      return true;
    }
  }

  private _anyPatternHit(s: string): boolean {
    for (const set of this._sets) {
      set.re.lastIndex = 0;
      if (set.re.test(s)) {
        set.re.lastIndex = 0;
        return true;
      }
    }
    return false;
  }
}
