// Timing two ways of answering the same question in one run (medians, alternating order after a warm-up),
// and Loki's raw HTTP API as the baseline side. Used by the backend bench.
import { type AuditFilters } from '../../src/services/filters';
import { type TimeRangeNs } from '../../src/services/page';
import { RUNS, countRaw, lokiGet } from './dataset';

export interface Case {
  name: string;
  /** The side under test (the backend's route). */
  subject: () => Promise<unknown>;
  /** The same LogQL straight to Loki. */
  baseline: () => Promise<unknown>;
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

/** What the bench asks: the viewer's first page for some filters, and the total count. */
export type Question = { kind: 'page'; name: string; filters: Partial<AuditFilters> } | { kind: 'count'; name: string };

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
];

/**
 * The same question as raw LogQL straight to Loki: for a page, the LogQL the backend says it ran
 * (its answer's `query`), a page and the one after it as the pager asks.
 */
export function baselineFor(q: Question, range: TimeRangeNs, logql: string): () => Promise<unknown> {
  if (q.kind === 'count') {
    return () => countRaw(range);
  }
  return () =>
    lokiGet('query_range', {
      query: logql,
      start: range.startNs,
      end: range.endNs,
      limit: '26',
      direction: 'backward',
    });
}
