import { changesView, deepEqual, diffObjects } from './jsonDiff';

describe('diffObjects', () => {
  it('marks changed, added, removed and unchanged fields', () => {
    expect(diffObjects({ a: 1, b: [1], c: 'x', n: { k: 1 } }, { a: 2, b: [1], d: true, n: { k: 1 } })).toEqual([
      { key: 'a', kind: 'changed', before: '1', after: '2' },
      { key: 'b', kind: 'same', before: '[\n  1\n]', after: '[\n  1\n]' },
      { key: 'c', kind: 'removed', before: '"x"' },
      { key: 'n', kind: 'same', before: '{\n  "k": 1\n}', after: '{\n  "k": 1\n}' },
      { key: 'd', kind: 'added', after: 'true' },
    ]);
  });
});

describe('deepEqual', () => {
  it.each([
    [{ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [[1, 2], [2, 1], false],
    [null, {}, false],
  ])('%p vs %p', (a, b, eq) => {
    expect(deepEqual(a, b)).toBe(eq);
  });
});

describe('changesView', () => {
  it('diffs a before/after object', () => {
    const v = changesView('{"before":{"roles":["member"]},"after":{"roles":["member","admin"]}}');
    expect(v).toEqual({ kind: 'diff', rows: [expect.objectContaining({ key: 'roles', kind: 'changed' })] });
  });
  it('treats a null before as a creation', () => {
    const v = changesView('{"before":null,"after":{"a":1}}');
    expect(v).toEqual({ kind: 'diff', rows: [{ key: 'a', kind: 'added', after: '1' }] });
  });
  it('formats other JSON', () => {
    expect(changesView('[1,2]')).toEqual({ kind: 'json', pretty: '[\n  1,\n  2\n]' });
  });
  it('keeps unparseable text raw', () => {
    expect(changesView('{"before": oops')).toEqual({ kind: 'raw', raw: '{"before": oops' });
  });
  it('is empty for no changes', () => {
    expect(changesView('')).toEqual({ kind: 'none' });
  });
});
