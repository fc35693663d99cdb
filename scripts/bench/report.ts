// Evidence pack bench: a 90-day Custom report (every event selected, so the pack holds every row) over
// the bench dataset, against an export job (JSON Lines) of the same range in the same run: the rows
// a report reads and writes are the export's, plus the chain verification, the CSV, the PDF and the ZIP.
// Also the backend's peak RSS after each.
//
//   npm run stack && BENCH_EVENTS=100000 npm run bench:report      (default: the 1M dataset)
import { GRAFANA_ADMIN } from '../stack/lib.mjs';
import { RESOURCES, eventually, grafana, login } from '../../tests/grafana/helpers.mjs';
import { benchOrg, restartGrafana } from './grafanaOrg';
import { DAY, TENANT, TOTAL, ensureLoaded, ns } from './dataset';
import { backendPeakRss } from './rss';

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

    console.log(`\n${TOTAL.toLocaleString()} events (tenant ${TENANT}), a 90-day period, one run each`);
    const [exportMs, exp] = await timed('exports', {
      name: 'bench export',
      format: 'jsonl',
      params: { from: ns(fromMs), to: ns(toMs) },
    });
    const exportRss = backendPeakRss();
    console.log(
      `export job (JSON Lines): ${exp.rows.toLocaleString()} rows in ${(exportMs / 1000).toFixed(1)} s; peak RSS ${exportRss}`
    );
    const [reportMs, rep] = await timed('reports', {
      type: 'Custom',
      name: 'bench evidence pack',
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    });
    const reportRss = backendPeakRss();
    console.log(
      `evidence pack (Custom, every event): ${rep.rows.toLocaleString()} events, ${(rep.size / 1048576).toFixed(1)} MiB ZIP in ${(reportMs / 1000).toFixed(1)} s; peak RSS ${reportRss}`
    );
    console.log(`evidence pack = ${(reportMs / exportMs).toFixed(2)}× the export of the same rows (goal ≤ 2×)`);
    await call('DELETE', `exports/${exp.id}`);
    await call('DELETE', `reports/${rep.id}`);
  } finally {
    await restartGrafana();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
