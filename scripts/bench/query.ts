// Query-layer bench: 1M audit events over 30 days in the real Loki (tenant `bench-query-1m`, loaded once
// and reused), then the time to the Event viewer's first page (no filter, a category, a free-text search,
// an actor), the total count, and the Overview's queries over 30 days — each through the project's query
// layer (src/services) and as the same LogQL sent straight to Loki's HTTP API. Prints medians and ratios.
//
//   npm run bench:query           ATTEST_LOKI_URL (default http://127.0.0.1:3100), BENCH_RUNS (default 7)
//   BENCH_EVENTS=200000 ...       a smaller load (its own tenant); BENCH_LOAD_ONLY=1 loads and stops;
//   BENCH_ONLY=<regex>            only the cases whose name matches
import { compareNewestFirst, parseStreamsResponse, parseVectorResponse } from '../../src/services/auditEvent';
import { buildCountQuery, buildEventsQuery } from '../../src/services/logql';
import { fetchPage } from '../../src/services/paging';
import { buildOverviewRequests, fetchOverviewStats, instantTime, rangeMsOf } from '../../src/services/stats';
import { type Case, type Question, QUESTIONS, baselineFor, compare, raw } from './compare';
import { DAY, RUNS, TENANT, TOTAL, ensureLoaded, ns, timeout, transport } from './dataset';

async function main() {
  await ensureLoaded();
  if (process.env.BENCH_LOAD_ONLY) {
    return;
  }
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  const range = { startNs: ns(endMs - 30 * DAY), endNs: ns(endMs) };
  const subject = (q: Question): (() => Promise<unknown>) => {
    switch (q.kind) {
      case 'page':
        return () => fetchPage(transport, { filters: q.filters, range, pageSize: 25, signal: timeout() });
      case 'count':
        return async () =>
          parseVectorResponse(
            await transport.get(
              'query',
              { query: buildCountQuery({}, rangeMsOf(range)), time: instantTime(range) },
              timeout()
            )
          );
      case 'overview':
        return () => fetchOverviewStats(transport, {}, range, timeout());
    }
  };
  const overview = buildOverviewRequests({}, range).requests;
  const cases: Case[] = [
    ...QUESTIONS.map((q) => ({ name: q.name, subject: subject(q), baseline: baselineFor(q, range) })),
    ...overview.map((r): Case => ({
      name: `overview query: ${r.name}`,
      subject: () => transport.get(r.path, r.params, timeout()),
      baseline: () => raw(r.path, r.params),
    })),
  ];

  console.log(
    `\n${TOTAL} events, 30 days, tenant ${TENANT}, ${RUNS} runs per side (median), alternating order after a warm-up`
  );
  await compare(cases, 'query layer');

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
