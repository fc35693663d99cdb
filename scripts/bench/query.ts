// Query-layer bench: 1M audit events over 30 days in the real Loki (tenant `bench-query-1m`, loaded once
// and reused), then the time to the Event viewer's first page (no filter, a category, a free-text search,
// an actor), the total count, and the Overview's queries over 30 days — each through the project's query
// layer (src/services) and as the same LogQL sent straight to Loki's HTTP API. Prints medians and ratios.
//
//   npm run bench:query           ATTEST_LOKI_URL (default http://127.0.0.1:3100), BENCH_RUNS (default 7)
//   BENCH_EVENTS=200000 ...       a smaller load (its own tenant); BENCH_LOAD_ONLY=1 loads and stops;
//   BENCH_ONLY=<regex>            only the cases whose name matches
import { compareNewestFirst, parseStreamsResponse, parseVectorResponse } from '../../src/services/auditEvent';
import { type AuditFilters } from '../../src/services/filters';
import { buildCountQuery, buildEventsQuery } from '../../src/services/logql';
import { ENCODING_FLAGS_HEADER, lokiApiUrl } from '../../src/services/lokiTransport';
import { fetchPage } from '../../src/services/paging';
import {
  OVERVIEW_CONCURRENCY,
  buildOverviewRequests,
  fetchOverviewStats,
  instantTime,
  rangeMsOf,
  runLimited,
} from '../../src/services/stats';
import { CALL_TIMEOUT_MS, DAY, LOKI, RUNS, TENANT, TOTAL, ensureLoaded, ns, timeout, transport } from './dataset';

async function raw(path: 'query' | 'query_range', params: Record<string, string>) {
  const res = await fetch(lokiApiUrl(LOKI, path, params), {
    headers: { ...ENCODING_FLAGS_HEADER, 'X-Scope-OrgID': TENANT },
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Case {
  name: string;
  layer: () => Promise<unknown>;
  direct: () => Promise<unknown>;
}

async function main() {
  await ensureLoaded();
  if (process.env.BENCH_LOAD_ONLY) {
    return;
  }
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  const range = { startNs: ns(endMs - 30 * DAY), endNs: ns(endMs) };
  const pageCase = (name: string, filters: Partial<AuditFilters>): Case => ({
    name,
    layer: () => fetchPage(transport, { filters, range, pageSize: 25, signal: timeout() }),
    direct: () =>
      raw('query_range', {
        query: buildEventsQuery(filters),
        start: range.startNs,
        end: range.endNs,
        limit: '26',
        direction: 'backward',
      }),
  });
  const overview = buildOverviewRequests({}, range).requests;
  const cases: Case[] = [
    pageCase('viewer page 1, no filter', {}),
    pageCase('viewer page 1, category AUTH', { categories: ['AUTH'] }),
    pageCase('viewer page 1, search "assigned"', { search: 'assigned' }),
    pageCase('viewer page 1, actor alice.martin@acme.example', { actor: 'alice.martin@acme.example' }),
    {
      name: 'viewer total count, no filter',
      layer: async () =>
        parseVectorResponse(
          await transport.get(
            'query',
            { query: buildCountQuery({}, rangeMsOf(range)), time: instantTime(range) },
            timeout()
          )
        ),
      direct: () => raw('query', { query: buildCountQuery({}, rangeMsOf(range)), time: instantTime(range) }),
    },
    ...overview.map((r): Case => ({
      name: `overview query: ${r.name}`,
      layer: () => transport.get(r.path, r.params, timeout()),
      direct: () => raw(r.path, r.params),
    })),
    {
      name: `overview, all ${overview.length} queries (${OVERVIEW_CONCURRENCY} at a time)`,
      layer: () => fetchOverviewStats(transport, {}, range, timeout()),
      direct: () =>
        runLimited(
          overview.map((r) => () => raw(r.path, r.params)),
          OVERVIEW_CONCURRENCY
        ),
    },
  ];

  console.log(
    `\n${TOTAL} events, 30 days, tenant ${TENANT}, ${RUNS} runs per side (median), alternating order after a warm-up`
  );
  const rows: string[] = [];
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  for (const c of cases.filter((x) => !only || only.test(x.name))) {
    const a: number[] = [];
    const b: number[] = [];
    try {
      const warm = await time(c.layer);
      await c.direct();
      // Cheap cases get more runs: their medians are otherwise dominated by scheduling noise.
      const runs = warm < 500 ? Math.max(RUNS, 21) : RUNS;
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          a.push(await time(c.layer));
          b.push(await time(c.direct));
        } else {
          b.push(await time(c.direct));
          a.push(await time(c.layer));
        }
      }
    } catch (err) {
      const row = `| ${c.name} | failed: ${err instanceof Error ? err.message.slice(0, 120) : String(err)} | | |`;
      rows.push(row);
      console.log(row);
      continue;
    }
    const la = median(a);
    const lb = median(b);
    const row = `| ${c.name} | ${la.toFixed(1)} ms | ${lb.toFixed(1)} ms | ${(la / lb).toFixed(2)} |`;
    rows.push(row);
    console.log(row);
  }
  console.log('\n| case | query layer | straight to Loki | ratio |\n|---|---|---|---|\n' + rows.join('\n'));

  // The layer's own cost, free of Loki's run-to-run variance: decoding and ordering one first page in-process.
  const body = JSON.stringify(
    await raw('query_range', {
      query: buildEventsQuery({}),
      start: range.startNs,
      end: range.endNs,
      limit: '26',
      direction: 'backward',
    })
  );
  const n = 2000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    JSON.parse(body);
  }
  const jsonMs = (performance.now() - t0) / n;
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    parseStreamsResponse(JSON.parse(body)).sort(compareNewestFirst);
  }
  const layerMs = (performance.now() - t0) / n;
  console.log(
    `\nlayer CPU per first page (26 entries, ${body.length} bytes): ${(layerMs - jsonMs).toFixed(3)} ms beyond JSON.parse (${jsonMs.toFixed(3)} ms)`
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
