// The reads the long-job benches compare the backend with, in the same run: today's serial read (the
// backward pager every job used, 1,000 a page) and a raw parallel read of the same range (forward
// query_range in shards, 5,000 a request, as many at once as the backend reads: the ceiling the store
// allows on this machine).
import { fetchPage } from '../../src/services/paging';
import { transport } from './dataset';

export interface Read {
  rows: number;
  ms: number;
}

export async function serialRead(range: { startNs: string; endNs: string }): Promise<Read> {
  const t0 = performance.now();
  let rows = 0;
  let cursor;
  for (;;) {
    const page = await fetchPage(transport, { filters: {}, range, cursor, pageSize: 1000 });
    rows += page.events.length;
    if (!page.older) {
      return { rows, ms: performance.now() - t0 };
    }
    cursor = page.older;
  }
}

/** The backend's cut (pkg/export.Stream): about 25,000 rows a shard, at most 4 shards per worker. */
export const shardCount = (rows: number, workers: number) =>
  Math.min(Math.max(Math.ceil(rows / 25_000), 1), 4 * workers);

export async function parallelRead(
  range: { startNs: string; endNs: string },
  shards: number,
  workers: number
): Promise<Read> {
  const start = BigInt(range.startNs);
  const end = BigInt(range.endNs);
  const span = (end - start) / BigInt(shards);
  const parts = Array.from({ length: shards }, (_, i) => ({
    from: start + span * BigInt(i),
    to: i === shards - 1 ? end : start + span * BigInt(i + 1),
  }));
  const t0 = performance.now();
  let rows = 0;
  const next = async () => {
    for (let p = parts.shift(); p; p = parts.shift()) {
      let from = p.from;
      for (;;) {
        const body = (await transport.get('query_range', {
          query: '{service_name=~".+"}',
          start: from.toString(),
          end: p.to.toString(),
          limit: '5000',
          direction: 'forward',
        })) as { data: { result: Array<{ values: Array<[string, string]> }> } };
        let n = 0;
        let newest = from;
        for (const s of body.data.result) {
          for (const [ts] of s.values) {
            n++;
            newest = BigInt(ts) > newest ? BigInt(ts) : newest;
          }
        }
        rows += n;
        if (n < 5000) {
          break;
        }
        // The ceiling: no tie-group handling (entries on the last timestamp may be counted twice).
        from = newest + 1n;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, next));
  return { rows, ms: performance.now() - t0 };
}
