// Backend bench: the Event viewer's first page and the total count through the plugin backend
// (Grafana resource routes: role check, self-audit record, LogQL built in Go, Loki) against the same
// LogQL sent straight to Loki, in the same run, over the bench dataset (1M events, 30 days). The
// Overview is measured by bench:overview.
// Also the cost of one self-audit record (an acknowledged OTLP write to the Collector).
//
//   npm run stack && npm run bench:backend       BENCH_RUNS (default 7), BENCH_ONLY=<regex>
//
// The dataset's tenant is mapped to a Grafana org of its own ("Attest bench") for the run: Grafana is
// restarted with that mapping and restarted again with the stack's own afterwards.
import { GRAFANA_ADMIN, stackConfig } from '../stack/lib.mjs';
import { login, resource } from '../../tests/grafana/helpers.mjs';
import { benchOrg, restartGrafana } from './grafanaOrg';
import { filterParams } from '../../src/services/routeParams';
import { otlpEnvHeaders } from '../demo/otlp.mjs';
import { type Case, type Question, QUESTIONS, baselineFor, compare, median, time } from './compare';
import { DAY, RUNS, TENANT, TOTAL, ensureLoaded, ns } from './dataset';

async function main() {
  await ensureLoaded();
  const org = await benchOrg();
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  const range = { startNs: ns(endMs - 30 * DAY), endNs: ns(endMs) };
  // A browser session, as the pages use (basic auth would verify the password on every request).
  const session = await login(GRAFANA_ADMIN);
  const route = async (path: string, params: Record<string, string>) => {
    const r = await resource(path, params, { org, as: session });
    if (r.status !== 200) {
      throw new Error(`${path}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    return r.body;
  };
  const subject = (q: Question) =>
    q.kind === 'page'
      ? () => route('events', { ...filterParams(q.filters, range), pageSize: '25' })
      : () => route('events/count', filterParams({}, range));
  const questions: Question[] = [
    ...QUESTIONS,
    {
      kind: 'page',
      name: 'viewer, an event id that does not exist (route + self-audit overhead)',
      filters: { eventId: 'none' },
    },
  ];
  const cases: Case[] = [];
  for (const q of questions) {
    // The LogQL the backend runs for the page, as its answer names it.
    const logql = q.kind === 'page' ? (await subject(q)()).query : '';
    cases.push({ name: q.name, subject: subject(q), baseline: baselineFor(q, range, logql) });
  }
  console.log(`\n${TOTAL} events, 30 days, tenant ${TENANT} (Grafana org ${org}), ${RUNS} runs per side (median)`);
  await compare(cases, 'through the backend');

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
          headers: { ...otlpEnvHeaders(), 'Content-Type': 'application/json', 'X-Scope-OrgID': 'bench-selfaudit' },
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
