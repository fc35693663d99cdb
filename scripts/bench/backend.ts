// Backend bench: the Event viewer's first page, the total count and the Overview through the plugin
// backend (Grafana resource routes: role check, self-audit record, LogQL built in Go, Loki) against
// the same LogQL sent straight to Loki, in the same run, over the bench dataset (1M events, 30 days).
// Also the cost of one self-audit record (an acknowledged OTLP write to the Collector).
//
//   npm run stack && npm run bench:backend       BENCH_RUNS (default 7), BENCH_ONLY=<regex>
//
// The dataset's tenant is mapped to a Grafana org of its own ("Attest bench") for the run: Grafana is
// restarted with that mapping and restarted again with the stack's own afterwards.
import { stackConfig, startService, stopService } from '../stack/lib.mjs';
import { grafana, resource } from '../../tests/grafana/helpers.mjs';
import { type AuditFilters } from '../../src/services/filters';
import { buildCountQuery, buildEventsQuery } from '../../src/services/logql';
import { ENCODING_FLAGS_HEADER, lokiApiUrl } from '../../src/services/lokiTransport';
import {
  OVERVIEW_CONCURRENCY,
  buildOverviewRequests,
  instantTime,
  rangeMsOf,
  runLimited,
} from '../../src/services/stats';
import { filterParams } from '../../src/services/routeParams';
import { DAY, LOKI, RUNS, TENANT, TOTAL, ensureLoaded, ns } from './dataset';

const ORG_NAME = 'Attest bench';

async function benchOrg(): Promise<number> {
  const found = await grafana('GET', `/api/orgs/name/${encodeURIComponent(ORG_NAME)}`);
  const orgId =
    found.status === 200
      ? found.body.id
      : (await grafana('POST', '/api/orgs', { body: { name: ORG_NAME } })).body.orgId;
  const base = stackConfig();
  return restartGrafana(`${base.tenants},${orgId}=${TENANT}`).then(async () => {
    const s = await grafana('POST', '/api/plugins/attest-auditlog-app/settings', {
      org: orgId,
      body: { enabled: true, pinned: true, jsonData: { lokiUrl: base.lokiUrl, readRole: 'Admin' } },
    });
    if (s.status !== 200) {
      throw new Error(`enabling the app in org ${orgId}: ${JSON.stringify(s.body)}`);
    }
    return orgId;
  });
}

async function restartGrafana(tenants?: string) {
  const cfg = stackConfig(tenants ? { ...process.env, ATTEST_TENANTS: tenants } : process.env);
  await stopService('grafana', { cfg });
  await startService('grafana', { cfg, timeoutMillis: 120_000 });
}

async function raw(path: 'query' | 'query_range', params: Record<string, string>) {
  const res = await fetch(lokiApiUrl(LOKI, path, params), {
    headers: { ...ENCODING_FLAGS_HEADER, 'X-Scope-OrgID': TENANT },
    signal: AbortSignal.timeout(180_000),
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
  backend: () => Promise<unknown>;
  direct: () => Promise<unknown>;
}

async function main() {
  await ensureLoaded();
  const org = await benchOrg();
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  const range = { startNs: ns(endMs - 30 * DAY), endNs: ns(endMs) };
  const route = async (path: string, params: Record<string, string>) => {
    const r = await resource(path, params, { org });
    if (r.status !== 200) {
      throw new Error(`${path}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    return r.body;
  };
  const pageCase = (name: string, filters: Partial<AuditFilters>): Case => ({
    name,
    backend: () => route('events', { ...filterParams(filters, range), pageSize: '25' }),
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
    pageCase('viewer, an event id that does not exist (route + self-audit overhead)', { eventId: 'none' }),
    {
      name: 'viewer total count, no filter',
      backend: () => route('events/count', filterParams({}, range)),
      direct: () => raw('query', { query: buildCountQuery({}, rangeMsOf(range)), time: instantTime(range) }),
    },
    {
      name: `overview, all ${overview.length} queries (${OVERVIEW_CONCURRENCY} at a time)`,
      backend: () => route('overview', filterParams({}, range)),
      direct: () =>
        runLimited(
          overview.map((r) => () => raw(r.path, r.params)),
          OVERVIEW_CONCURRENCY
        ),
    },
  ];
  console.log(`\n${TOTAL} events, 30 days, tenant ${TENANT} (Grafana org ${org}), ${RUNS} runs per side (median)`);
  const rows: string[] = [];
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  for (const c of cases.filter((x) => !only || only.test(x.name))) {
    const a: number[] = [];
    const b: number[] = [];
    try {
      const warm = await time(c.backend);
      await c.direct();
      const runs = warm < 500 ? Math.max(RUNS, 21) : RUNS;
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          a.push(await time(c.backend));
          b.push(await time(c.direct));
        } else {
          b.push(await time(c.direct));
          a.push(await time(c.backend));
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
  console.log('\n| case | through the backend | straight to Loki | ratio |\n|---|---|---|---|\n' + rows.join('\n'));

  // One self-audit record as the backend writes it: an acknowledged OTLP/HTTP POST to the Collector.
  const cfg = stackConfig();
  const body = JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'attest-bench' } }] },
        scopeLogs: [
          {
            logRecords: [
              { timeUnixNano: String(Date.now() * 1e6), severityText: 'INFO', body: { stringValue: 'bench' } },
            ],
          },
        ],
      },
    ],
  });
  const writes: number[] = [];
  for (let i = 0; i < 200; i++) {
    writes.push(
      await time(() =>
        fetch(`${cfg.otlpUrl}/v1/logs`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Scope-OrgID': 'bench-selfaudit' },
          body,
        }).then((r) => r.arrayBuffer())
      )
    );
  }
  console.log(
    `\nself-audit write (acknowledged OTLP POST to the Collector): median ${median(writes).toFixed(2)} ms over 200`
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => restartGrafana());
