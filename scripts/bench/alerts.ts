// npm run bench:alerts — time from a matching audit event to the webhook delivery of an audit alert, at
// the default evaluation interval (1m) and at 10s in the same run. The stack must be running (npm run
// stack). Each trial: a fresh rule on its own event type, one event through the Collector, a webhook
// receiver on 127.0.0.1. Event → firing comes from Grafana's state history (when the rule fired), firing →
// webhook from the receiver. Rules and the contact point are removed afterwards.
import http from 'node:http';

import { generateEvents } from '../demo/generator.mjs';
import { pushOtlp } from '../demo/otlp.mjs';
import { configureAppToken, stackConfig } from '../stack/lib.mjs';
import { RESOURCES, grafana } from '../../tests/grafana/helpers.mjs';

const cfg = stackConfig();
const TRIALS = Number(process.env.TRIALS ?? 3);
const run = Date.now().toString(36);

type Hit = { at: number; uid?: string };
const hits: Hit[] = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      const alerts = JSON.parse(body).alerts ?? [];
      for (const a of alerts) {
        hits.push({ at: Date.now(), uid: a.labels?.attest_rule_uid });
      }
    } catch {
      // not a notification
    }
    res.end('ok');
  });
});

async function ok(method: string, path: string, body?: unknown) {
  const res = await grafana(method, path, { body });
  if (res.status >= 300) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

async function setInterval(interval: string | undefined) {
  const s = await ok('GET', '/api/plugins/attest-auditlog-app/settings');
  const jsonData = { ...s.jsonData };
  delete jsonData.alertInterval;
  await ok('POST', '/api/plugins/attest-auditlog-app/settings', {
    enabled: true,
    pinned: true,
    jsonData: interval ? { ...jsonData, alertInterval: interval } : jsonData,
  });
}

async function trial(label: string, contactPoint: string, n: number) {
  const type = `bench.alert.${run}.${label}.${n}`;
  const rule = await ok('POST', `${RESOURCES}/alerts`, {
    name: `Bench ${label} ${n} ${run}`,
    categories: ['SECURITY'],
    severity: 'CRITICAL',
    eventTypes: [type],
    contactPoints: [contactPoint],
    active: true,
  });
  try {
    // Let the rule settle into the schedule, then emit at a random point of the interval.
    await new Promise((r) => setTimeout(r, 5000 + Math.random() * 10_000));
    const now = Date.now();
    const events = [
      ...generateEvents({ count: 1, startMillis: now - 10, endMillis: now, seed: n, tenant: cfg.defaultTenant }),
    ];
    for (const e of events) {
      e.service = { name: `bench-alerts-${run}`, environment: 'bench' };
      e.attributes['audit.event'] = type;
      e.attributes['audit.category'] = 'SECURITY';
      e.severityText = 'CRITICAL';
      e.severityNumber = 21;
    }
    const t0 = Date.now();
    await pushOtlp({ endpoint: `${cfg.otlpUrl}/v1/logs`, tenant: cfg.defaultTenant, events });
    const deadline = Date.now() + 240_000;
    let hit: Hit | undefined;
    while (!hit && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      hit = hits.find((h) => h.uid === rule.uid);
    }
    if (!hit) {
      throw new Error(`no delivery for ${label} trial ${n} within 240 s`);
    }
    const history = await ok('GET', `/api/v1/rules/history?ruleUID=${rule.uid}&from=${t0 - 60_000}&to=${Date.now()}`);
    const times: number[] = history.data?.values?.[0] ?? [];
    const next: string[] = history.data?.values?.[3] ?? [];
    const fired = times.map((t) => (t > 1e14 ? t / 1000 : t)).find((_, i) => next[i]?.startsWith('Alerting'));
    return { total: hit.at - t0, toFiring: fired ? fired - t0 : NaN, firingToHook: fired ? hit.at - fired : NaN };
  } finally {
    await grafana('DELETE', `${RESOURCES}/alerts/${rule.uid}`);
  }
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '   n/a' : `${(ms / 1000).toFixed(1).padStart(6)}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await configureAppToken(cfg, 1);
  const cp = `bench-hook-${run}`;
  await ok('POST', `${RESOURCES}/alerts/contact-points`, {
    name: cp,
    type: 'webhook',
    url: `http://127.0.0.1:${port}/`,
  });
  // The Alertmanager picks up a new contact point at its next config poll.
  await new Promise((r) => setTimeout(r, 12_000));
  const original = (await ok('GET', '/api/plugins/attest-auditlog-app/settings')).jsonData?.alertInterval;
  const rows: Array<[string, Awaited<ReturnType<typeof trial>>[]]> = [];
  try {
    for (const [label, interval] of [
      ['default 1m', undefined],
      ['10s', '10s'],
    ] as const) {
      await setInterval(interval);
      const results = [];
      for (let n = 0; n < TRIALS; n++) {
        results.push(await trial(label.replace(/\W+/g, '-'), cp, n));
      }
      rows.push([label, results]);
    }
  } finally {
    await setInterval(original);
    server.close();
  }
  console.log(
    '\nevent → webhook, seconds (median of each column over',
    TRIALS,
    'trials; rule evaluated every interval)'
  );
  console.log('interval      event→firing  firing→webhook  event→webhook   trials event→webhook');
  for (const [label, rs] of rows) {
    console.log(
      `${label.padEnd(12)} ${fmt(median(rs.map((r) => r.toFiring)))}        ${fmt(median(rs.map((r) => r.firingToHook)))}          ${fmt(median(rs.map((r) => r.total)))}        ${rs.map((r) => fmt(r.total).trim()).join(', ')}`
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
