import vectors from './testdata/logql-vectors.json';
import { narrowFilters } from './filters';
import {
  LogQLBuildError,
  buildCategorySeverityCountsQuery,
  buildCountQuery,
  buildDistinctActorsQuery,
  buildEventsOverTimeQuery,
  buildEventsQuery,
  buildHighSeverityQuery,
  buildSelector,
  buildTopEventTypesQuery,
  escapeRegex,
  formatDurationMs,
  pickStepMs,
  quoteString,
} from './logql';

type Vector = {
  name: string;
  kind: string;
  filter: unknown;
  logql: string;
  rangeMs?: number;
  stepMs?: number;
  k?: number;
};

function build(v: Vector): string {
  const f = narrowFilters(v.filter);
  switch (v.kind) {
    case 'events':
      return buildEventsQuery(f);
    case 'count':
      return buildCountQuery(f, v.rangeMs!);
    case 'categorySeverityCounts':
      return buildCategorySeverityCountsQuery(f, v.rangeMs!);
    case 'eventsOverTime':
      return buildEventsOverTimeQuery(f, v.stepMs!);
    case 'topEventTypes':
      return buildTopEventTypesQuery(f, v.rangeMs!, v.k);
    case 'distinctActors':
      return buildDistinctActorsQuery(f, v.rangeMs!);
    case 'highSeverity':
      return buildHighSeverityQuery(f);
    default:
      throw new Error(`unknown kind ${v.kind}`);
  }
}

describe('test vectors (src/services/testdata/logql-vectors.json)', () => {
  it('has cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(30);
  });
  it.each((vectors.cases as Vector[]).map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(build(v)).toEqual(v.logql);
  });
  it.each(vectors.errors.map((v) => [v.name, v] as const))('error: %s', (_name, v) => {
    expect(() => buildEventsQuery(narrowFilters(v.filter))).toThrow(v.error);
  });
});

describe('quoteString', () => {
  it.each([
    ['plain', 'abc', '"abc"'],
    ['double quote', 'a"b', '"a\\"b"'],
    ['backslash', 'a\\b', '"a\\\\b"'],
    ['backtick stays raw', 'a`b', '"a`b"'],
    ['newline, CR, tab', 'a\nb\rc\td', '"a\\nb\\rc\\td"'],
    ['BEL and DEL', '\u0007\u007f', '"\\u0007\\u007f"'],
    ['C1 control NEL', '\u0085', '"\\u0085"'],
    ['line and paragraph separators', '\u2028\u2029', '"\\u2028\\u2029"'],
    ['BOM', '\ufeff', '"\\ufeff"'],
    ['astral stays UTF-8', '😀', '"😀"'],
    ['accents', 'chloé', '"chloé"'],
  ])('%s', (_n, input, expected) => {
    expect(quoteString(input)).toEqual(expected);
  });
  it.each([
    ['lone high', 'a\ud800b'],
    ['lone low', '\udc00'],
    ['high at end', 'x\ud83d'],
  ])('rejects %s surrogate', (_n, s) => {
    expect(() => quoteString(s)).toThrow(LogQLBuildError);
  });
  it('round-trips through JSON-compatible unquoting for every BMP escape it writes', () => {
    const all = Array.from({ length: 0x2100 }, (_, i) => String.fromCharCode(i))
      .filter((c) => c !== '\u0000' && (c < '\ud800' || c > '\udfff'))
      .join('');
    expect(JSON.parse(quoteString(all))).toEqual(all);
  });
});

describe('escapeRegex', () => {
  it('escapes every RE2 metacharacter', () => {
    expect(escapeRegex('.+*?()|[]{}^$\\')).toEqual('\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$\\\\');
  });
  it('writes control characters as \\xHH escapes', () => {
    expect(escapeRegex('a\u0000b\nc\u007f')).toEqual('a\\x00b\\x0ac\\x7f');
  });
  it('makes a JS regex match the text literally', () => {
    const hostile = 'a.b*c+(d)|[e]{2}^$\\f?';
    const re = new RegExp('^' + escapeRegex(hostile) + '$');
    expect(re.test(hostile)).toBe(true);
    expect(re.test('aXb*c+(d)|[e]{2}^$\\f?')).toBe(false);
  });
});

describe('buildSelector', () => {
  it('never produces an all-empty selector', () => {
    expect(buildSelector({ service: '', categories: [], severities: [] })).toEqual('{service_name=~".+"}');
  });
});

describe('buildEventsQuery', () => {
  it('ignores label names from input: unknown filter keys are dropped', () => {
    expect(buildEventsQuery(narrowFilters({ 'service_name="x"} or {a': 'b', categories: ['AUTH'] }))).toEqual(
      '{service_name=~".+", audit_category="AUTH"}'
    );
  });
  it('throws on a lone surrogate in the search text', () => {
    expect(() => buildEventsQuery({ search: '\ud800' })).toThrow(LogQLBuildError);
  });
});

describe('formatDurationMs', () => {
  it.each([
    [86_400_000, '1d'],
    [7_200_000, '2h'],
    [90_000, '90s'],
    [60_000, '1m'],
    [1, '1ms'],
  ])('%d -> %s', (ms, s) => {
    expect(formatDurationMs(ms)).toEqual(s);
  });
  it('rejects non-positive and fractional ranges', () => {
    expect(() => formatDurationMs(0)).toThrow(LogQLBuildError);
    expect(() => formatDurationMs(1.5)).toThrow(LogQLBuildError);
  });
});

describe('pickStepMs', () => {
  it.each([
    [86_400_000, 1_800_000],
    [604_800_000, 10_800_000],
    [2_592_000_000, 43_200_000],
    [7_776_000_000, 172_800_000],
  ])('range %d -> step %d', (range, step) => {
    expect(pickStepMs(range)).toEqual(step);
  });
});
