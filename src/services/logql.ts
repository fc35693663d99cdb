// Pure LogQL builders: a typed filter object in, a LogQL string out. No I/O, no @grafana imports, so the
// same module runs in the browser, in jest and in plain Node (integration tests, bench).
//
// Safety rules (docs/stack-notes.md "LogQL quoting", docs/architecture.md principles):
// - label and metadata names come only from the whitelists in enums.ts, never from input;
// - every user string goes through quoteString (Go double-quoted string syntax);
// - wherever a regex matcher is used, the user text is escaped with escapeRegex first.
import { type Category, INDEX_LABELS, METADATA, type Severity } from './enums';
import { type AuditFilters, defaultFilters } from './filters';

export class LogQLBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogQLBuildError';
  }
}

/** An all-events stream selector must match something non-empty (Loki rejects all-empty matchers). */
export const ALL_EVENTS_SELECTOR = `{${INDEX_LABELS.service}=~".+"}`;

/** Loki caps `limit` at max_entries_limit_per_query (5000 by default). */
export const MAX_LIMIT = 5000;

const HEX = '0123456789abcdef';
const u4 = (code: number) => '\\u' + [12, 8, 4, 0].map((s) => HEX[(code >> s) & 15]).join('');

/**
 * Quotes `s` as a LogQL double-quoted string (Go `strconv.Unquote` syntax).
 * Escapes backslash and double quote, writes control characters, DEL, C1 controls and the Unicode
 * line/paragraph separators as `\uXXXX`, and keeps every other character (also astral ones) as UTF-8.
 * A lone UTF-16 surrogate cannot be represented in UTF-8 and is rejected.
 */
export function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
        continue;
      }
      throw new LogQLBuildError('text contains an unpaired surrogate');
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      throw new LogQLBuildError('text contains an unpaired surrogate');
    }
    if (c === 0) {
      // Loki re-serialises split queries and then rejects a raw NUL; it can only be searched for (escapeRegex).
      throw new LogQLBuildError('text contains a NUL character');
    }
    if (c === 0x5c) {
      out += '\\\\';
    } else if (c === 0x22) {
      out += '\\"';
    } else if (c === 0x0a) {
      out += '\\n';
    } else if (c === 0x0d) {
      out += '\\r';
    } else if (c === 0x09) {
      out += '\\t';
    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff) {
      out += u4(c);
    } else {
      out += s[i];
    }
  }
  return out + '"';
}

/**
 * Escapes RE2 metacharacters (like Go `regexp.QuoteMeta`), so the text matches literally. C0 control
 * characters and DEL are written as RE2 `\xHH` escapes: Loki re-serialises queries when it splits them, and
 * a raw NUL in a regex then fails to parse ("invalid character NUL").
 */
export function escapeRegex(s: string): string {
  return s
    .replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')
    .replace(/[\u0000-\u001f\u007f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

type Matcher = { name: string; op: '=' | '!=' | '=~' | '!~'; value: string };
const renderMatcher = (m: Matcher) => `${m.name}${m.op}${quoteString(m.value)}`;

function setMatcher(name: string, values: readonly string[]): Matcher | undefined {
  if (values.length === 0) {
    return undefined;
  }
  if (values.length === 1) {
    return { name, op: '=', value: values[0] };
  }
  return { name, op: '=~', value: values.map(escapeRegex).join('|') };
}

/** The stream selector: only index labels, sorted for stable output. */
export function buildSelector(f: Pick<AuditFilters, 'service' | 'categories' | 'severities'>): string {
  const matchers: Matcher[] = [];
  matchers.push(
    f.service !== ''
      ? { name: INDEX_LABELS.service, op: '=', value: f.service }
      : { name: INDEX_LABELS.service, op: '=~', value: '.+' }
  );
  const cat = setMatcher(INDEX_LABELS.category, sortedUnique<Category>(f.categories));
  if (cat) {
    matchers.push(cat);
  }
  const sev = setMatcher(INDEX_LABELS.severity, sortedUnique<Severity>(f.severities));
  if (sev) {
    matchers.push(sev);
  }
  return `{${matchers.map(renderMatcher).join(', ')}}`;
}

const sortedUnique = <T extends string>(xs: readonly T[]): T[] => [...new Set(xs)].sort();

/** Name of the temporary label that carries the log line for the free-text search; dropped right after. */
const SEARCH_LABEL = 'attest_search_text';

/** The pipeline after the selector: exact metadata filters first (cheap), the free-text search last. */
export function buildPipeline(f: AuditFilters): string {
  const stages: string[] = [];
  const eq = (name: string, value: string) => {
    if (value !== '') {
      stages.push(`| ${name}=${quoteString(value)}`);
    }
  };
  eq(METADATA.id, f.eventId);
  eq(METADATA.event, f.eventType);
  eq(METADATA.outcome, f.outcome);
  eq(METADATA.targetType, f.targetType);
  eq(METADATA.targetId, f.targetId);
  eq(METADATA.requestId, f.requestId);
  eq(METADATA.traceId, f.traceId);
  eq(METADATA.stack, f.stack);
  eq(METADATA.region, f.region);
  if (f.classification !== '') {
    // A comma-separated list: the kind as one whole item of it.
    stages.push(
      `| ${METADATA.classification}=~${quoteString('(.*,)? *' + escapeRegex(f.classification) + ' *(,.*)?')}`
    );
  }
  if (f.actor !== '') {
    // An id matches exactly; an e-mail address matches whole-value, case-insensitively.
    stages.push(
      `| ${METADATA.userId}=${quoteString(f.actor)} or ${METADATA.userEmail}=~${quoteString('(?i)' + escapeRegex(f.actor))}`
    );
  }
  if (f.search !== '') {
    // Search the description (the log line) OR the action, the resource's name and id, the actor's name and e-mail. A label filter can't see the line, so the
    // line is copied into a temporary label, matched with `or`, and dropped again (the line stays intact).
    const needle = escapeRegex(f.search);
    stages.push(`| label_format ${SEARCH_LABEL}="{{__line__}}"`);
    const quoted = quoteString('(?is).*' + needle + '.*');
    const fields = [METADATA.event, METADATA.targetName, METADATA.targetId, METADATA.userName, METADATA.userEmail];
    stages.push(`| ${SEARCH_LABEL}=~${quoted}${fields.map((name) => ` or ${name}=~${quoted}`).join('')}`);
    stages.push(`| drop ${SEARCH_LABEL}`);
  }
  return stages.join(' ');
}

/** The log query behind the Event viewer. */
export function buildEventsQuery(filters: Partial<AuditFilters> = {}): string {
  const f = { ...defaultFilters, ...filters };
  const pipeline = buildPipeline(f);
  return pipeline === '' ? buildSelector(f) : `${buildSelector(f)} ${pipeline}`;
}

/** Go/Prometheus-style duration from milliseconds (LogQL has no `ns` unit; ms is the finest). */
export function formatDurationMs(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new LogQLBuildError(`invalid range ${ms}`);
  }
  if (ms % 86_400_000 === 0) {
    return `${ms / 86_400_000}d`;
  }
  if (ms % 3_600_000 === 0) {
    return `${ms / 3_600_000}h`;
  }
  if (ms % 60_000 === 0) {
    return `${ms / 60_000}m`;
  }
  if (ms % 1000 === 0) {
    return `${ms / 1000}s`;
  }
  return `${ms}ms`;
}

const countOver = (filters: Partial<AuditFilters>, rangeMs: number) =>
  `count_over_time(${buildEventsQuery(filters)} [${formatDurationMs(rangeMs)}])`;

/**
 * Total matching events. Evaluate as an instant query at `end - 1ns` with `rangeMs = end - start`:
 * a LogQL range covers (t - range, t], which is then exactly [start, end) like query_range.
 */
export function buildCountQuery(filters: Partial<AuditFilters>, rangeMs: number): string {
  return `sum(${countOver(filters, rangeMs)})`;
}

/** Counts by category and severity (instant): gives the total, the severity cards and the category chips. */
export function buildCategorySeverityCountsQuery(filters: Partial<AuditFilters>, rangeMs: number): string {
  return `sum by (${INDEX_LABELS.category}, ${INDEX_LABELS.severity}) (${countOver(filters, rangeMs)})`;
}

/** Events over time by category (range query, evaluated with `step = stepMs`). */
export function buildEventsOverTimeQuery(filters: Partial<AuditFilters>, stepMs: number): string {
  return `sum by (${INDEX_LABELS.category}) (${countOver(filters, stepMs)})`;
}

/** Top `k` event types (instant). */
export function buildTopEventTypesQuery(filters: Partial<AuditFilters>, rangeMs: number, k = 5): string {
  if (!Number.isInteger(k) || k < 1 || k > 100) {
    throw new LogQLBuildError(`invalid k ${k}`);
  }
  return `topk(${k}, sum by (${METADATA.event}) (${countOver(filters, rangeMs)}))`;
}

/** Distinct human actors (actor type `user`) with at least one event (instant). */
export function buildDistinctActorsQuery(filters: Partial<AuditFilters>, rangeMs: number): string {
  const f = { ...defaultFilters, ...filters };
  const base = buildEventsQuery(f);
  return `count(sum by (${METADATA.userId}) (count_over_time(${base} | ${METADATA.actorType}="user" | ${METADATA.userId}!="" [${formatDurationMs(rangeMs)}])))`;
}

/** The most recent CRITICAL/ERROR events (log query; run backward with a small limit). */
export function buildHighSeverityQuery(filters: Partial<AuditFilters> = {}): string {
  return buildEventsQuery({ ...filters, severities: ['CRITICAL', 'ERROR'] });
}

/** Picks a step giving at most `maxPoints` buckets over the range, from a list of round durations. */
export function pickStepMs(rangeMs: number, maxPoints = 60): number {
  const steps = [
    60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000,
    604_800_000,
  ];
  return steps.find((s) => rangeMs / s <= maxPoints) ?? steps[steps.length - 1];
}
