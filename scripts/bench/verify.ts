// Integrity verification bench: a keyed chain of N events (default 100k) recorded by the package into a
// tenant of its own, then, in the same run: a raw read of the rows from Loki, the package's verifier
// (`otel-audit verify`: read + verify), and the backend's verification job against an export job of the
// same range (JSON Lines, the same paging) as its baseline. The stack must be running (npm run stack).
//
//   npm run bench:verify        BENCH_VERIFY_N=100000
//   BENCH_VERIFY_REUSE=<run>:<from ns>:<to ns>   verifies a chain an earlier run recorded (as it printed)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { createAuditPipeline, runWithAuditContext } from '../../instrumentation/src';
import { readLoki } from '../../instrumentation/src/cli/verifyLoki';
import { verifyChain } from '../../instrumentation/src/verifyChain';
import { RESOURCES, cfg, eventually, grafana } from '../../tests/grafana/helpers.mjs';
import { againstBaselines, baselines } from './readers';
import { backendPeakRss } from './rss';
import { GATEWAY_SERVICE_USER, gatewayPassword, lokiHeaders } from '../stack/lib.mjs';

const N = Number(process.env.BENCH_VERIFY_N ?? 100_000);
const TENANT = cfg.defaultTenant;
const reuse = process.env.BENCH_VERIFY_REUSE?.split(':');
const run = reuse?.[0] ?? randomBytes(3).toString('hex');
const service = `bench-verify-${run}`;
const keysFile = path.join(cfg.dataDir, 'chain-keys.json');
const key = { id: `bench-${run}`, secret: reuse ? keyOf(`bench-${run}`) : randomBytes(32) };

function keyOf(id: string): Buffer {
  const hex = JSON.parse(fs.readFileSync(keysFile, 'utf8'))[id];
  if (!hex) {
    throw new Error(`no key ${id} in ${keysFile}`);
  }
  return Buffer.from(hex, 'hex');
}

async function record(): Promise<{ from: bigint; to: bigint }> {
  const from = BigInt(Date.now() - 1000) * 1_000_000n;
  const pipeline = createAuditPipeline({
    tenant: TENANT,
    serviceName: service,
    environment: 'bench',
    url: cfg.otlpUrl,
    meterProvider: false,
    chainKey: key,
  });
  await runWithAuditContext({ actor: { id: 'bench', email: 'bench@example.com' }, tenant: TENANT }, async () => {
    for (let i = 0; i < N; i++) {
      if (i % 500 === 0) {
        // Let the delivery run (backpressure without a spool).
        await new Promise((r) => setImmediate(r));
      }
      await pipeline.waitForCapacity();
      pipeline.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', description: `bench ${i}` });
    }
  });
  await pipeline.shutdown();
  const to = BigInt(Date.now() + 60_000) * 1_000_000n;
  const selector = `{service_name="${service}"}`;
  await eventually(
    async () => {
      const q = new URLSearchParams({ query: `sum(count_over_time(${selector}[1h]))`, time: to.toString() });
      const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query?${q}`, { headers: lokiHeaders(TENANT) });
      const body = await res.json();
      return Number(body.data.result[0]?.value[1] ?? 0) >= N;
    },
    { timeoutMillis: 300_000, intervalMillis: 2000 }
  );
  return { from, to: to - (to % 1_000_000n) };
}

async function job(kind: 'export' | 'verify', range: { from: bigint; to: bigint }): Promise<number> {
  const t0 = performance.now();
  const started =
    kind === 'export'
      ? await grafana('POST', `${RESOURCES}/exports`, {
          body: {
            name: `bench ${run}`,
            format: 'jsonl',
            params: { from: range.from.toString(), to: range.to.toString() },
          },
        })
      : await grafana('POST', `${RESOURCES}/integrity/verifications`, {
          body: { from: range.from.toString(), to: range.to.toString() },
        });
  if (started.status >= 300) {
    throw new Error(`${kind}: ${started.status} ${JSON.stringify(started.body)}`);
  }
  const path = kind === 'export' ? 'exports' : 'integrity/verifications';
  const done = await eventually(
    async () => {
      const r = await grafana('GET', `${RESOURCES}/${path}/${kind === 'export' ? started.body.id : ''}`);
      const j = kind === 'export' ? r.body : r.body.verifications.find((v: { id: string }) => v.id === started.body.id);
      return j && j.status !== 'pending' && j.status !== 'running' ? j : undefined;
    },
    { timeoutMillis: 3_600_000, intervalMillis: 200 }
  );
  if (done.status !== 'completed') {
    throw new Error(`${kind} ended ${done.status}: ${done.error}`);
  }
  if (done.rows < N) {
    throw new Error(`${kind} read ${done.rows} rows, fewer than the ${N} of the chain`);
  }
  const s = done.summary;
  console.log(
    `${kind} job: ${done.rows.toLocaleString()} rows${s ? `, ${s.chains} chains, ${s.problemCount} problems` : ''}`
  );
  return performance.now() - t0;
}

/** The package's verifier over the chain: a raw read, then verifyChain (what `otel-audit verify` does). */
async function packageRun(src: Parameters<typeof readLoki>[0]): Promise<[number, number]> {
  let t0 = performance.now();
  const rows = await readLoki(src);
  const readMs = performance.now() - t0;
  t0 = performance.now();
  const res = verifyChain(rows, { keys: { [key.id]: key.secret }, requireKeyed: true, fromStart: true });
  const verifyMs = performance.now() - t0;
  if (!res.ok || res.checked !== N) {
    throw new Error(`the bench chain did not verify: ${res.checked} records, ${res.problems.length} problems`);
  }
  console.log(`package: read ${readMs.toFixed(0)} ms, verify ${verifyMs.toFixed(0)} ms`);
  return [readMs, verifyMs];
}

async function main() {
  // The bench producer's key, as an operator adds it to chain_keys_file.
  const keys = fs.existsSync(keysFile) ? JSON.parse(fs.readFileSync(keysFile, 'utf8')) : {};
  fs.writeFileSync(keysFile, JSON.stringify({ ...keys, [key.id]: key.secret.toString('hex') }));

  let range: { from: bigint; to: bigint };
  if (reuse) {
    range = { from: BigInt(reuse[1]), to: BigInt(reuse[2]) };
  } else {
    console.log(`recording ${N.toLocaleString()} keyed events…`);
    range = await record();
  }
  console.log(`chain of run ${run}: BENCH_VERIFY_REUSE=${run}:${range.from}:${range.to}`);
  const src = {
    url: cfg.lokiUrl,
    tenant: TENANT,
    selector: `{service_name="${service}"}`,
    fromNs: range.from,
    toNs: range.to,
    // Through the gateway, with the operator's service credential.
    user: GATEWAY_SERVICE_USER,
    password: gatewayPassword(cfg),
  };

  // BENCH_VERIFY_PARTS=backend skips the package's read and verify (each part's ratio is within itself).
  const parts = process.env.BENCH_VERIFY_PARTS ?? 'package,backend';
  let readMs = 0;
  let verifyMs = 0;
  if (parts.includes('package')) {
    [readMs, verifyMs] = await packageRun(src);
  }
  if (!parts.includes('backend')) {
    return;
  }

  // The backend verifies the whole tenant in the range; the export reads the same rows, and so do the
  // serial and the raw parallel reads.
  const base = await baselines(
    { startNs: range.from.toString(), endNs: range.to.toString() },
    Number(process.env.ATTEST_READ_WORKERS ?? 4),
    TENANT
  );
  const exportMs = await job('export', range);
  const exportPeak = backendPeakRss();
  const backendMs = await job('verify', range);
  const verifyPeak = backendPeakRss();

  const rate = (ms: number) => Math.round((N / ms) * 1000).toLocaleString();
  console.log(`\nintegrity verification of ${N.toLocaleString()} keyed events (one run)`);
  if (readMs > 0) {
    console.log(
      `package: raw read ${readMs.toFixed(0)} ms (${rate(readMs)}/s); verify ${verifyMs.toFixed(0)} ms; read+verify ${(readMs + verifyMs).toFixed(0)} ms (${rate(readMs + verifyMs)}/s) = ${(readMs / (readMs + verifyMs)).toFixed(2)}× the raw read`
    );
  }
  console.log(
    `backend: export job (JSON Lines) ${exportMs.toFixed(0)} ms (${rate(exportMs)}/s); verification job ${backendMs.toFixed(0)} ms (${rate(backendMs)}/s) = ${(exportMs / backendMs).toFixed(2)}× the export`
  );
  console.log(againstBaselines('export job', exportMs, base));
  console.log(againstBaselines('verification job', backendMs, base));
  console.log(`backend peak RSS: ${exportPeak} after the export, ${verifyPeak} after the verification`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
