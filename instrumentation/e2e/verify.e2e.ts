import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createAuditPipeline, runWithAuditContext, type AuditPipeline } from '../src';
import { main } from '../src/cli/main';
import {
  LOKI_AUTHORIZATION,
  LOKI_URL,
  OTLP_URL,
  lokiCredentialArgs,
  queryAll,
  waitForEntries,
  type LokiEntry,
} from './loki';

// The command-line verifier against the real Loki: a trail recorded by the package verifies; attacks
// performed on real data in Loki (a forged copy with genuine chain fields, a changed field, records
// missing from the middle) are found, with the first break printed and exit code 1.
const run = randomBytes(4).toString('hex');
const tenant = `verify-${run}`;
const service = `verify-${run}`;
const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
const INDEX = ['service_name', 'deployment_environment_name', 'audit_category', 'severity_text'];
let entries: LokiEntry[] = [];

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  return cliOf(tenant, ...args);
}

async function cliOf(of: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(
    ['verify', '--loki', LOKI_URL, '--tenant', of, '--from', '10m', ...lokiCredentialArgs(), ...args],
    (s) => lines.push(s)
  );
  return { code, out: lines.join('\n') };
}

/** Writes entries straight into Loki, as someone with write access to it could. */
async function push(list: Array<{ ts: string; line: string; labels: Record<string, string> }>, into = tenant) {
  const streams = list.map((e) => {
    const stream = Object.fromEntries(INDEX.map((k) => [k, e.labels[k]]).filter(([, v]) => v !== undefined));
    const md = Object.fromEntries(Object.entries(e.labels).filter(([k]) => !INDEX.includes(k)));
    return { stream, values: [[e.ts, e.line, md]] };
  });
  const res = await fetch(`${LOKI_URL}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: LOKI_AUTHORIZATION, 'X-Scope-OrgID': into },
    body: JSON.stringify({ streams }),
  });
  assert.ok(res.ok, `push: ${res.status} ${await res.text()}`);
}

const all = (e: LokiEntry) => ({ ...e.labels, ...e.metadata });
const seqOf = (e: LokiEntry) => Number(all(e).audit_chain_seq);

describe('otel-audit verify against the real Loki', () => {
  let pipeline: AuditPipeline;
  const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-verify-'));
  before(async () => {
    pipeline = createAuditPipeline({
      tenant,
      serviceName: service,
      environment: 'e2e',
      url: OTLP_URL,
      spoolDir: spool,
      meterProvider: false,
    });
    await runWithAuditContext({ actor: { id: `u-${run}`, email: `v-${run}@example.com` }, tenant }, async () => {
      for (let i = 0; i < 60; i++) {
        pipeline.record({ type: 'user.updated', category: 'USER_MGMT', action: 'update', description: `update ${i}` });
      }
    });
    await pipeline.flush();
    await waitForEntries(tenant, `{service_name="${service}"}`, startNs, (es) => es.length >= 60);
    entries = (await queryAll(tenant, `{service_name="${service}"}`, startNs)).entries.sort(
      (a, b) => seqOf(a) - seqOf(b)
    );
    assert.equal(entries.length, 60);
  });
  after(() => pipeline.shutdown());

  it('verifies the trail the package recorded, and says so with exit code 0', async () => {
    const res = await cli('--selector', `{service_name="${service}"}`, '--from-start');
    assert.equal(res.code, 0, res.out);
    assert.match(res.out, /1 chains, 60 records checked, 0 duplicated positions, 0 problems/);
    assert.match(res.out, /verified/);
  });

  it('records missing from the middle (copied elsewhere without them) are a gap', async () => {
    // Copied into a tenant of its own, in the same stream (a copy under another service is `moved`).
    const gapTenant = `${tenant}-gap`;
    await push(
      entries.filter((e) => seqOf(e) < 20 || seqOf(e) > 24).map((e) => ({ ts: e.ts, line: e.line, labels: all(e) })),
      gapTenant
    );
    await waitForEntries(gapTenant, `{service_name="${service}"}`, startNs, (es) => es.length >= 55);
    const res = await cliOf(gapTenant, '--selector', `{service_name="${service}"}`, '--from-start');
    assert.equal(res.code, 1, res.out);
    assert.match(res.out, /first break: chain \S+ seq 25: gap \(seq 20\.\.24 missing\)/);
  });

  it('a forged copy with the genuine chain fields, placed before the original, is a conflict', async () => {
    const original = entries.find((e) => seqOf(e) === 30) as LokiEntry;
    await push([
      { ts: (BigInt(original.ts) - 1_000_000n).toString(), line: 'nothing happened here', labels: all(original) },
    ]);
    await waitForEntries(tenant, `{service_name="${service}"}`, startNs, (es) => es.length >= 61);
    const res = await cli('--selector', `{service_name="${service}"}`, '--from-start', '--json');
    assert.equal(res.code, 1);
    const out = JSON.parse(res.out);
    assert.deepEqual(
      out.problems.map((p: { seq: number; problem: string }) => [p.seq, p.problem]),
      [
        [30, 'conflict'],
        [30, 'hash_mismatch'],
      ]
    );
  });

  it('a changed field in a second copy is found by recomputing its hash, not by trusting the stored one', async () => {
    const original = entries.find((e) => seqOf(e) === 40) as LokiEntry;
    await push([
      {
        ts: (BigInt(original.ts) + 1_000_000n).toString(),
        line: original.line,
        labels: { ...all(original), user_id: 'mallory' },
      },
    ]);
    await waitForEntries(tenant, `{service_name="${service}"}`, startNs, (es) => es.length >= 62);
    const res = await cli('--selector', `{service_name="${service}"}`, '--from-start', '--json');
    const out = JSON.parse(res.out);
    assert.ok(
      out.problems.some((p: { seq: number; problem: string }) => p.seq === 40 && p.problem === 'hash_mismatch'),
      JSON.stringify(out.problems)
    );
  });

  it('answers a usage error with exit code 2', async () => {
    const lines: string[] = [];
    assert.equal(await main(['verify', '--loki', LOKI_URL], (s) => lines.push(s)), 2);
    assert.match(lines.join('\n'), /usage/);
  });
});
