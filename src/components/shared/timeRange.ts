import { type TimeRange, dateMath, dateTime } from '@grafana/data';

import { type TimeRangeNs } from 'services/page';

/** Resolves Grafana raw times (`now-7d`, epoch ms) to an absolute [start, end) in whole milliseconds. */
export function resolveRange(from: string, to: string, now = Date.now()): { fromMs: number; toMs: number } {
  const parse = (raw: string, roundUp: boolean) => {
    if (/^\d+$/.test(raw)) {
      return Number(raw);
    }
    // Relative to one shared `now`, so that `now-7d`..`now` is exactly 7 days (LogQL ranges are exact).
    const d = dateMath.toDateTime(raw, { roundUp, now, timezone: 'utc' });
    return d && d.isValid() ? d.valueOf() : now;
  };
  let fromMs = Math.floor(parse(from, false));
  let toMs = Math.floor(parse(to, true));
  if (toMs > now && to.startsWith('now')) {
    toMs = now;
  }
  if (fromMs >= toMs) {
    fromMs = toMs - 1;
  }
  return { fromMs, toMs };
}

export const toNsRange = ({ fromMs, toMs }: { fromMs: number; toMs: number }): TimeRangeNs => ({
  startNs: (BigInt(fromMs) * BigInt(1_000_000)).toString(),
  endNs: (BigInt(toMs) * BigInt(1_000_000)).toString(),
});

export function toTimeRange(from: string, to: string): TimeRange {
  const { fromMs, toMs } = resolveRange(from, to);
  return { from: dateTime(fromMs), to: dateTime(toMs), raw: { from, to } };
}

/** Back to URL form: keep relative raw strings, write absolute times as epoch ms. */
export function rawOf(v: TimeRange['raw']['from']): string {
  return typeof v === 'string' ? v : String(v.valueOf());
}
