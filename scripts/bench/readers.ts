// The reads the long-job benches compare the backend with, in the same run: today's serial read (the
// backward pager every job used, 1,000 a page) and a raw parallel read of the same range (forward
// query_range in shards of about equal rows, 5,000 a request, as many at once as the backend reads:
// the ceiling the store allows on this machine).
import { lokiGet } from './dataset';

export interface Read {
  rows: number;
  ms: number;
}

type Streams = {
  data: { result: Array<{ values: Array<[string, string, { structuredMetadata?: Record<string, string> }]> }> };
};

const entries = (body: Streams) =>
  body.data.result.flatMap((s) =>
    s.values.map(([ts, , md]) => ({ ts: BigInt(ts), id: md?.structuredMetadata?.audit_id ?? '' }))
  );

/**
 * Today's serial read: newest first, 1,000 a page, each page asked backward from where the last ended;
 * when a page ends inside a group of equal timestamps, the whole group is read with a 1 ns query (the
 * exact pager pkg/loki/paging.go implements, which every long job used before the sharded reader).
 */
export async function serialRead(range: { startNs: string; endNs: string }, tenant?: string): Promise<Read> {
  const t0 = performance.now();
  const query = '{service_name=~".+"}';
  let rows = 0;
  let end = BigInt(range.endNs);
  for (;;) {
    const page = entries(
      await lokiGet(
        'query_range',
        { query, start: range.startNs, end: end.toString(), limit: '1001', direction: 'backward' },
        tenant
      )
    ).sort((a, b) => (a.ts === b.ts ? 0 : a.ts > b.ts ? -1 : 1));
    if (page.length <= 1000) {
      return { rows: rows + page.length, ms: performance.now() - t0 };
    }
    const last = page[999].ts;
    if (page[1000].ts === last) {
      const group = entries(
        await lokiGet(
          'query_range',
          { query, start: last.toString(), end: (last + 1n).toString(), limit: '5000', direction: 'backward' },
          tenant
        )
      );
      rows += page.filter((e) => e.ts > last).length + group.length;
    } else {
      rows += 1000;
    }
    end = last;
  }
}

/** The backend's cut (pkg/export.Stream): about 25,000 rows a shard, at most 4 shards per worker. */
export const shardCount = (rows: number, workers: number) =>
  Math.min(Math.max(Math.ceil(rows / 25_000), 1), 4 * workers);

/**
 * Cuts a range into shards of about equal rows, as the backend does (not timed): Loki's counts per
 * 1/256 of the range, then an edge wherever the rows before reach the next n-th.
 */
async function balancedParts(range: { startNs: string; endNs: string }, shards: number, tenant?: string) {
  const start = BigInt(range.startNs);
  const end = BigInt(range.endNs);
  const stepS = (end - start) / 256n / 1_000_000_000n + 1n;
  const body = await lokiGet(
    'query_range',
    {
      query: `sum(count_over_time({service_name=~".+"} [${stepS}s]))`,
      start: range.startNs,
      end: range.endNs,
      step: stepS.toString(),
    },
    tenant
  );
  const points: Array<[number, string]> = body.data.result[0]?.values ?? [];
  const total = points.reduce((n, [, v]) => n + Number(v), 0);
  const edges = [start];
  let before = 0;
  for (const [t, v] of points) {
    before += Number(v);
    const edge = BigInt(Math.round(t * 1000)) * 1_000_000n;
    if (edges.length < shards && before * shards >= edges.length * total && edge > edges[edges.length - 1] && edge < end) {
      edges.push(edge);
    }
  }
  edges.push(end);
  return edges.slice(1).map((to, i) => ({ from: edges[i], to }));
}

export async function parallelRead(
  range: { startNs: string; endNs: string },
  shards: number,
  workers: number,
  tenant?: string
): Promise<Read> {
  const parts = await balancedParts(range, shards, tenant);
  const t0 = performance.now();
  let rows = 0;
  const next = async () => {
    for (let p = parts.shift(); p; p = parts.shift()) {
      let from = p.from;
      for (;;) {
        const body = (await lokiGet(
          'query_range',
          {
            query: '{service_name=~".+"}',
            start: from.toString(),
            end: p.to.toString(),
            limit: '5000',
            direction: 'forward',
          },
          tenant
        )) as { data: { result: Array<{ values: Array<[string, string]> }> } };
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

/** Today's serial read and the raw parallel read of a range, with the shard count the backend would cut. */
export async function baselines(range: { startNs: string; endNs: string }, workers: number, tenant?: string) {
  const serial = await serialRead(range, tenant);
  const shards = shardCount(serial.rows, workers);
  const parallel = await parallelRead(range, shards, workers, tenant);
  const rate = (r: Read) => Math.round(r.rows / (r.ms / 1000));
  console.log(
    `today's serial read ${serial.rows.toLocaleString()} rows in ${(serial.ms / 1000).toFixed(1)} s (${rate(serial)} rows/s); raw parallel read (${shards} shards, ${workers} at once) ${parallel.rows.toLocaleString()} rows in ${(parallel.ms / 1000).toFixed(1)} s (${rate(parallel)} rows/s)`
  );
  return { serial, parallel, shards };
}

/** A job's time against both baselines: how many times faster than the serial read, and what share of the raw parallel read's speed. */
export function againstBaselines(what: string, ms: number, b: { serial: Read; parallel: Read }) {
  return `${what}: ${(b.serial.ms / ms).toFixed(1)}× today's serial read, ${(b.parallel.ms / ms).toFixed(2)}× the raw parallel read`;
}
