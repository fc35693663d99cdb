// Export bench: server-side exports of 100k and 1M events (the bench dataset) in every format through
// the plugin backend, against, in the same run: today's serial read of the same rows (the backward
// pager, 1,000 a page), the backend reading one shard at a time (read_workers = 1), and a raw parallel
// query_range read with the backend's shard count; and the backend's peak resident memory (goal: flat).
//
//   npm run stack && npm run bench:export        BENCH_FORMATS=csv,xlsx  BENCH_SIZES=100k,1m
//
// Like bench:backend, the dataset's tenant is mapped to a Grafana org of its own for the run.
import fs from 'node:fs';

import { GRAFANA_ADMIN } from '../stack/lib.mjs';
import { RESOURCES, cfg, login } from '../../tests/grafana/helpers.mjs';
import { filterParams } from '../../src/services/routeParams';
import { benchOrg, benchTenants, restartGrafana } from './grafanaOrg';
import { DAY, TENANT, ensureLoaded, ns } from './dataset';
import { baselines } from './readers';

const formats = (process.env.BENCH_FORMATS ?? 'csv,json,jsonl,xlsx').split(',');
const sizes = (process.env.BENCH_SIZES ?? '100k,1m').split(',');
/** 1M events over 30 days: 3 days hold about 100k, 30 days all of them. */
const DAYS: Record<string, number> = { '100k': 3, '1m': 30 };

function backendPid(): number {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('gpx_auditlog')) {
        return Number(pid);
      }
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('the plugin backend process is not running');
}

const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

async function main() {
  await ensureLoaded();
  const org = await benchOrg();
  const session = await login(GRAFANA_ADMIN);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cfg.grafanaUrl}${RESOURCES}/${path}`, {
      method,
      headers: { Cookie: session.cookie, 'X-Grafana-Org-Id': String(org), 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) {
      throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    }
    return res.json();
  };
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  const rows: string[] = [];
  const workers = cfg.readWorkers;
  const exportRun = async (size: string, format: string, range: { startNs: string; endNs: string }) => {
    const pid = backendPid();
    let peak = rssMiB(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 200);
    const t0 = performance.now();
    const job = await api('POST', 'exports', {
      name: `bench ${size} ${format}`,
      format,
      params: filterParams({}, range),
    });
    let done;
    for (;;) {
      done = await api('GET', `exports/${job.id}`);
      if (done.status !== 'pending' && done.status !== 'running') {
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const ms = performance.now() - t0;
    clearInterval(sampler);
    if (done.status !== 'completed') {
      throw new Error(`export ${format} ${size}: ${done.status} ${done.error ?? ''}`);
    }
    await api('DELETE', `exports/${job.id}`).catch(() => undefined);
    return { rows: done.rows as number, ms, peak, size: done.size as number };
  };
  const rate = (r: { rows: number; ms: number }) => r.rows / (r.ms / 1000);
  const figures: string[] = [];
  for (const size of sizes) {
    const range = { startNs: ns(endMs - DAYS[size] * DAY), endNs: ns(endMs) };
    const { serial, parallel, shards } = await baselines(range, workers);
    // The backend reading one shard at a time, then restarted with the default.
    await restartGrafana(benchTenants(org), 1);
    const one = await exportRun(size, 'csv', range);
    await restartGrafana(benchTenants(org));
    const fast = await exportRun(size, 'csv', range);
    figures.push(
      `| ${size} | ${serial.rows} | ${Math.round(rate(serial))} | ${Math.round(rate(one))} | ${Math.round(rate(fast))} | ${Math.round(rate(parallel))} | ${(rate(fast) / rate(serial)).toFixed(1)}× | ${(rate(fast) / rate(parallel)).toFixed(2)} | ${shards} |`
    );
    console.log(figures.at(-1));
    const rawRate = rate(serial);
    for (const format of formats) {
      const done = await exportRun(size, format, range);
      const row = `| ${size} | ${format} | ${done.rows} | ${(done.ms / 1000).toFixed(1)} s | ${Math.round(rate(done))} | ${Math.round(rawRate)} | ${(rate(done) / rawRate).toFixed(1)}× | ${done.peak.toFixed(0)} MiB | ${(done.size / 1048576).toFixed(1)} MiB |`;
      rows.push(row);
      console.log(row);
    }
  }
  console.log(
    `\n${TENANT}, read_workers ${workers}\n| events | rows | today's serial rows/s | one shard rows/s | backend rows/s | raw parallel rows/s | vs serial | vs raw parallel | shards |\n|---|---|---|---|---|---|---|---|---|\n${figures.join('\n')}`
  );
  console.log(
    `\n| events | format | rows | time | rows/s | today's serial rows/s | vs serial | backend peak RSS | file |\n|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}`
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => restartGrafana());
