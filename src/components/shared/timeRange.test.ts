import { resolveRange, toNsRange } from './timeRange';

describe('resolveRange', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0, 123);
  it.each([
    ['now-24h', 86_400_000],
    ['now-7d', 604_800_000],
    ['now-30d', 2_592_000_000],
    ['now-90d', 7_776_000_000],
  ])('%s..now is exact', (from, ms) => {
    const r = resolveRange(from, 'now', now);
    expect(r).toEqual({ fromMs: now - ms, toMs: now });
  });
  it('keeps absolute epoch milliseconds', () => {
    expect(resolveRange('1000', '2000', now)).toEqual({ fromMs: 1000, toMs: 2000 });
  });
  it('never returns an empty or inverted range', () => {
    expect(resolveRange('2000', '1000', now)).toEqual({ fromMs: 999, toMs: 1000 });
  });
  it('converts to nanoseconds', () => {
    expect(toNsRange({ fromMs: 1, toMs: 2 })).toEqual({ startNs: '1000000', endNs: '2000000' });
  });
});
