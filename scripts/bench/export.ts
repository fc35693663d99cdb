// Export bench: server-side exports of 100k and 1M events (the bench dataset) in every format through
// the plugin backend, against a raw read of the same rows from Loki (same paging, 1,000 a page) in the
// same run; and the backend process's peak resident memory during each export (goal: flat).
//
//   npm run stack && npm run bench:export        BENCH_FORMATS=csv,xlsx  BENCH_SIZES=100k,1m
//
// Like bench:backend, the dataset's tenant is mapped to a Grafana org of its own for the run.
import fs from 'node:fs';

import { GRAFANA_ADMIN } from '../stack/lib.mjs';
import { RESOURCES, cfg, login } from '../../tests/grafana/helpers.mjs';
import { fetchPage } from '../../src/services/paging';
import { filterParams } from '../../src/services/routeParams';
import { benchOrg, restartGrafana } from './grafanaOrg';
import { DAY, TENANT, ensureLoaded, ns, transport } from './dataset';

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

async function rawRead(range: { startNs: string; endNs: string }): Promise<{ rows: number; ms: number }> {
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
  for (const size of sizes) {
    const range = { startNs: ns(endMs - DAYS[size] * DAY), endNs: ns(endMs) };
    const raw = await rawRead(range);
    const rawRate = raw.rows / (raw.ms / 1000);
    console.log(
      `${size}: raw Loki read ${raw.rows} rows in ${(raw.ms / 1000).toFixed(1)} s (${Math.round(rawRate)} rows/s)`
    );
    for (const format of formats) {
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
      const rate = done.rows / (ms / 1000);
      const row = `| ${size} | ${format} | ${done.rows} | ${(ms / 1000).toFixed(1)} s | ${Math.round(rate)} | ${Math.round(rawRate)} | ${(rate / rawRate).toFixed(2)} | ${peak.toFixed(0)} MiB | ${(done.size / 1048576).toFixed(1)} MiB |`;
      rows.push(row);
      console.log(row);
      await api('DELETE', `exports/${job.id}`).catch(() => undefined);
    }
  }
  console.log(
    `\n${TENANT}\n| events | format | rows | time | rows/s | raw Loki rows/s | ratio | backend peak RSS | file |\n|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}`
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => restartGrafana());
