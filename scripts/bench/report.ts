// Evidence pack bench: a 90-day Custom report (every event selected, so the pack holds every row) over
// the bench dataset, against an export job (JSON Lines) of the same range in the same run: the rows
// a report reads and writes are the export's, plus the chain verification, the CSV, the PDF and the ZIP.
// Also the backend's peak RSS after each. Two rounds; the second (warm caches for both) is compared.
//
//   npm run stack && BENCH_EVENTS=100000 npm run bench:report      (default: the 1M dataset)
import { GRAFANA_ADMIN } from '../stack/lib.mjs';
import { RESOURCES, eventually, grafana, login } from '../../tests/grafana/helpers.mjs';
import { benchOrg, restartGrafana } from './grafanaOrg';
import { DAY, TENANT, TOTAL, ensureLoaded, ns } from './dataset';
import { againstBaselines, baselines } from './readers';
import { backendPeakRss } from './rss';

/** BENCH_REPORT_ROUNDS (default 2): at 1M one round is enough (Loki's caches cannot hold it all). */
const ROUNDS = Number(process.env.BENCH_REPORT_ROUNDS ?? 2);
/** The backend's read_workers (the stack's default), for the raw parallel read's shard count. */
const WORKERS = Number(process.env.ATTEST_READ_WORKERS ?? 4);

type Job = { id: string; status: string; rows: number; size: number; error?: string };

async function main() {
  await ensureLoaded();
  const org = await benchOrg();
  try {
    const session = await login(GRAFANA_ADMIN);
    const call = (method: string, path: string, body?: unknown) =>
      grafana(method, `${RESOURCES}/${path}`, { org, as: session, body });
    const toMs = Math.floor(Date.now() / 1000) * 1000;
    const fromMs = toMs - 90 * DAY;

    const timed = async (kind: 'exports' | 'reports', body: unknown): Promise<[number, Job]> => {
      const t0 = performance.now();
      const started = await call('POST', kind, body);
      if (started.status !== 202) {
        throw new Error(`${kind}: HTTP ${started.status} ${JSON.stringify(started.body)}`);
      }
      const done: Job = await eventually(
        async () => {
          const j = (await call('GET', `${kind}/${started.body.id}`)).body as Job;
          return j.status !== 'pending' && j.status !== 'running' ? j : undefined;
        },
        { timeoutMillis: 4 * 3_600_000, intervalMillis: 250 }
      );
      if (done.status !== 'completed') {
        throw new Error(`${kind} ended ${done.status}: ${done.error}`);
      }
      return [performance.now() - t0, done];
    };

    console.log(`\n${TOTAL.toLocaleString()} events (tenant ${TENANT}), a 90-day period`);
    const base = await baselines({ startNs: ns(fromMs), endNs: ns(toMs) }, WORKERS);
    // Two rounds, export then report: the first warms Loki's caches for both; the second is compared.
    let exportMs = 0;
    let reportMs = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const [eMs, exp] = await timed('exports', {
        name: 'bench export',
        format: 'jsonl',
        params: { from: ns(fromMs), to: ns(toMs) },
      });
      const exportRss = backendPeakRss();
      console.log(
        `round ${round}: export job (JSON Lines): ${exp.rows.toLocaleString()} rows in ${(eMs / 1000).toFixed(1)} s; backend peak RSS so far ${exportRss}`
      );
      const [rMs, rep] = await timed('reports', {
        type: 'Custom',
        name: 'bench evidence pack',
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
      });
      console.log(
        `round ${round}: evidence pack (Custom, every event): ${rep.rows.toLocaleString()} events, ${(rep.size / 1048576).toFixed(1)} MiB ZIP in ${(rMs / 1000).toFixed(1)} s; backend peak RSS so far ${backendPeakRss()}`
      );
      await call('DELETE', `exports/${exp.id}`);
      await call('DELETE', `reports/${rep.id}`);
      [exportMs, reportMs] = [eMs, rMs];
    }
    console.log(
      `evidence pack = ${(reportMs / exportMs).toFixed(2)}× the export of the same rows (round ${ROUNDS}; goal ≤ 1.3×)`
    );
    console.log(againstBaselines('export job', exportMs, base));
    console.log(againstBaselines('evidence pack', reportMs, base));
  } finally {
    await restartGrafana();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
