// Timing two ways of answering the same question in one run (medians, alternating order after a warm-up),
// and Loki's raw HTTP API as the baseline side. Shared by the query and backend benches.
import { type AuditFilters } from '../../src/services/filters';
import { buildCountQuery, buildEventsQuery } from '../../src/services/logql';
import { ENCODING_FLAGS_HEADER, lokiApiUrl } from '../../src/services/lokiTransport';
import { type TimeRangeNs } from '../../src/services/paging';
import {
  OVERVIEW_CONCURRENCY,
  buildOverviewRequests,
  instantTime,
  rangeMsOf,
  runLimited,
} from '../../src/services/stats';
import { CALL_TIMEOUT_MS, LOKI, RUNS, TENANT } from './dataset';
import { lokiHeaders } from '../stack/lib.mjs';

export interface Case {
  name: string;
  /** The side under test (the query layer, the backend). */
  subject: () => Promise<unknown>;
  /** The same LogQL straight to Loki. */
  baseline: () => Promise<unknown>;
}

/** A query straight to Loki's HTTP API for the bench tenant. */
export async function raw(path: 'query' | 'query_range', params: Record<string, string>) {
  const res = await fetch(lokiApiUrl(LOKI, path, params), {
    headers: { ...ENCODING_FLAGS_HEADER, ...lokiHeaders(TENANT) },
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs every case (BENCH_ONLY=<regex> filters them), prints a row each and the table at the end. */
export async function compare(cases: Case[], subjectLabel: string): Promise<void> {
  const rows: string[] = [];
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  for (const c of cases.filter((x) => !only || only.test(x.name))) {
    const a: number[] = [];
    const b: number[] = [];
    try {
      const warm = await time(c.subject);
      await c.baseline();
      // Cheap cases get more runs: their medians are otherwise dominated by scheduling noise.
      const runs = warm < 500 ? Math.max(RUNS, 21) : RUNS;
      for (let i = 0; i < runs; i++) {
        const pair = i % 2 === 0 ? [c.subject, c.baseline] : [c.baseline, c.subject];
        for (const fn of pair) {
          (fn === c.subject ? a : b).push(await time(fn));
        }
      }
    } catch (err) {
      rows.push(`| ${c.name} | failed: ${err instanceof Error ? err.message.slice(0, 120) : String(err)} | | |`);
      console.log(rows[rows.length - 1]);
      continue;
    }
    const row = `| ${c.name} | ${median(a).toFixed(1)} ms | ${median(b).toFixed(1)} ms | ${(median(a) / median(b)).toFixed(2)} |`;
    rows.push(row);
    console.log(row);
  }
  console.log(`\n| case | ${subjectLabel} | straight to Loki | ratio |\n|---|---|---|---|\n${rows.join('\n')}`);
}

/** What both benches ask: the viewer's first page for some filters, the total count, the Overview. */
export type Question =
  | { kind: 'page'; name: string; filters: Partial<AuditFilters> }
  | { kind: 'count'; name: string }
  | { kind: 'overview'; name: string };

export const QUESTIONS: Question[] = [
  { kind: 'page', name: 'viewer page 1, no filter', filters: {} },
  { kind: 'page', name: 'viewer page 1, category AUTH', filters: { categories: ['AUTH'] } },
  { kind: 'page', name: 'viewer page 1, search "assigned"', filters: { search: 'assigned' } },
  {
    kind: 'page',
    name: 'viewer page 1, actor alice.martin@acme.example',
    filters: { actor: 'alice.martin@acme.example' },
  },
  { kind: 'count', name: 'viewer total count, no filter' },
  { kind: 'overview', name: `overview, all five queries (${OVERVIEW_CONCURRENCY} at a time)` },
];

/** The same question as raw LogQL straight to Loki. */
export function baselineFor(q: Question, range: TimeRangeNs): () => Promise<unknown> {
  switch (q.kind) {
    case 'page':
      return () =>
        raw('query_range', {
          query: buildEventsQuery(q.filters),
          start: range.startNs,
          end: range.endNs,
          limit: '26',
          direction: 'backward',
        });
    case 'count':
      return () => raw('query', { query: buildCountQuery({}, rangeMsOf(range)), time: instantTime(range) });
    case 'overview': {
      const requests = buildOverviewRequests({}, range).requests;
      return () =>
        runLimited(
          requests.map((r) => () => raw(r.path, r.params)),
          OVERVIEW_CONCURRENCY
        );
    }
  }
}
