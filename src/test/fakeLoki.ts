// An in-memory stand-in for Loki's query_range, for unit tests of the paging logic. It keeps Loki's
// semantics that matter here: [start, end), `limit`, direction, and an arbitrary (shuffled) order among
// entries that share one timestamp. The LogQL itself is ignored; `match` decides what the query sees.
import { type LokiTransport } from 'services/lokiTransport';

export interface FakeEntry {
  tsNs: string;
  line: string;
  labels: Record<string, string>;
  metadata: Record<string, string>;
}

export function createFakeLoki(
  entries: FakeEntry[],
  seed = 1
): LokiTransport & { calls: Array<Record<string, string>> } {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const calls: Array<Record<string, string>> = [];
  return {
    calls,
    async get(path, params) {
      calls.push({ path, ...params });
      if (path !== 'query_range') {
        throw new Error('fake Loki only does query_range');
      }
      const start = BigInt(params.start);
      const end = BigInt(params.end);
      const limit = Number(params.limit);
      if (limit > 5000) {
        throw new Error('limit above 5000');
      }
      const backward = params.direction !== 'forward';
      const inRange = entries.filter((e) => BigInt(e.tsNs) >= start && BigInt(e.tsNs) < end);
      // shuffle, then a stable sort by time only: ties stay in random order
      const shuffled = inRange
        .map((e) => ({ e, r: rand() }))
        .sort((a, b) => a.r - b.r)
        .map((x) => x.e);
      shuffled.sort((a, b) => {
        const d = BigInt(a.tsNs) - BigInt(b.tsNs);
        const c = d === BigInt(0) ? 0 : d > BigInt(0) ? 1 : -1;
        return backward ? -c : c;
      });
      const picked = shuffled.slice(0, limit);
      return {
        status: 'success',
        data: {
          resultType: 'streams',
          result: picked.map((e) => ({
            stream: e.labels,
            values: [[e.tsNs, e.line, { structuredMetadata: e.metadata }]],
          })),
        },
      };
    },
  };
}
