import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createAuditPipeline,
  createMultiTenantAuditLogger,
  GENESIS_HASH,
  runWithAuditContext,
  type AuditPipeline,
} from '../src';
import { fromLokiEntry } from '../src/lokiRecord';
import { verifyChain } from '../src/verifyChain';
import { OTLP_URL, queryAll, waitForEntries, type LokiEntry } from './loki';

// The repo's stack library (ESM): stops and starts the real Collector.
type StackLib = {
  stopService: (name: string, opts?: { signal?: string }) => Promise<boolean>;
  startService: (name: string) => Promise<unknown>;
  isRunning: (name: string) => boolean;
};
const stackLib = (): Promise<StackLib> =>
  import(path.resolve(__dirname, '../../scripts/stack/lib.mjs')) as Promise<StackLib>;

const run = randomBytes(4).toString('hex');
const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
const spoolRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-e2e-'));

// Planted secrets: none of these may appear anywhere in Loki.
const JWT = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUtJHtydW59In0.${run}SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV`;
const SECRETS = {
  jwt: JWT,
  bearer: `bEaRtOk${run}abcdefghijkl`,
  aws: `AKIA${run.toUpperCase().replace(/[^A-Z0-9]/g, 'X')}ABCDEFGH`.slice(0, 20),
  github: `ghp_${run}A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6`,
  slack: `xoxb-${run}-0987654321-AbCdEfGhIjKl`,
  stripe: `sk_live_${run}HqLyjWDarjtT1zdp7dc`,
  password: `pw-${run}-hunter2`,
  connPassword: `cs-${run}-Tr0ub4dor`,
  urlToken: `ut${run}a0AfH6SMB`,
  cookie: `sid=${run}cookievalue`,
  card: '4111 1111 1111 1111',
  privateKey: `MIIEow${run}IBAAKCAQEA0Z3VS5JJcds3xfn`,
  apiKeyField: `akf-${run}-zaq1xsw2`,
  genericKv: `gkv${run}wJalrXUtnFEMI`,
  google: `AIzaSy${run}DdI0hCZtE6vySjMm-WEfRq3CPz`.slice(0, 39),
};

function specHash(e: LokiEntry): string {
  // A verifier's view: covered structured metadata + the index labels audit_category / severity_text.
  const fields: Record<string, string> = { time_unix_nano: e.ts, body: e.line };
  const all = { ...e.labels, ...e.metadata };
  for (const [k, v] of Object.entries(all)) {
    if (/^(audit|user|client|session)_/.test(k) && k !== 'audit_chain_hash' && v !== '') {
      fields[k] = v;
    }
  }
  if (all.severity_text) {
    fields.severity_text = all.severity_text;
  }
  const names = Object.keys(fields).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts: Buffer[] = [];
  for (const n of names) {
    const k = Buffer.from(n);
    const v = Buffer.from(fields[n]);
    parts.push(Buffer.from(`${k.length}:`), k, Buffer.from(`${v.length}:`), v);
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

describe('e2e: @attest/otel-audit → Collector → Loki', { timeout: 300_000 }, () => {
  describe('fields and redaction', () => {
    const tenant = `e2e-${run}-a`;
    let pipeline: AuditPipeline;

    before(() => {
      pipeline = createAuditPipeline({
        tenant,
        serviceName: 'attest-e2e',
        environment: 'e2e',
        url: OTLP_URL,
        spoolDir: path.join(spoolRoot, 'a'),
        meterProvider: false,
      });
    });
    after(() => pipeline.shutdown());

    it('should land every event in Loki with every field, the chain verifiable from Loki alone, and no planted secret', async () => {
      const ids: string[] = [];
      await runWithAuditContext(
        {
          actor: { id: `u-${run}`, email: `ada-${run}@example.com`, name: 'Ada Lovelace', roles: ['admin', 'auditor'] },
          clientAddress: '203.0.113.9',
          userAgent: `curl/8 Bearer ${SECRETS.bearer}`,
          requestId: `req-${run}`,
          sessionId: `sess-${run}`,
          tenant,
        },
        async () => {
          ids.push(
            pipeline.record({
              type: 'hardware.updated',
              category: 'DATA_MODIFY',
              action: 'update',
              severity: 'WARNING',
              target: { type: 'hardware', id: '142', name: 'Hardware #142' },
              description: `Hardware #142 updated; token ${SECRETS.jwt}; card ${SECRETS.card}`,
              changes: {
                before: {
                  status: 'idle',
                  password: SECRETS.password,
                  nested: { deeper: { apiKey: SECRETS.apiKeyField } },
                },
                after: { status: 'busy', dsn: `postgres://app:${SECRETS.connPassword}@db:5432/x` },
              },
              metadata: {
                ticket: 'OPS-7',
                aws: SECRETS.aws,
                gh: SECRETS.github,
                slack: SECRETS.slack,
                stripe: SECRETS.stripe,
                callback: `https://app.example.com/cb?access_token=${SECRETS.urlToken}&x=1`,
                header: `Cookie: ${SECRETS.cookie}`,
                pem: `-----BEGIN PRIVATE KEY-----\n${SECRETS.privateKey}\n-----END PRIVATE KEY-----`,
                env: `SERVICE_SECRET=${SECRETS.genericKv}`,
                google: SECRETS.google,
              },
              classification: ['pii', 'financial'],
            })
          );
          ids.push(
            await pipeline.recordAndConfirm({ type: 'auth.login.succeeded', category: 'AUTH', action: 'login' })
          );
          for (let i = 0; i < 20; i++) {
            ids.push(
              pipeline.record({
                type: 'pii.read.customer',
                category: 'DATA_ACCESS',
                action: 'read',
                target: { type: 'customer', id: `c-${i}` },
                classification: ['pii'],
              })
            );
          }
        }
      );
      await pipeline.flush();
      const query = '{service_name="attest-e2e"}';
      const { entries, raw } = await waitForEntries(tenant, query, startNs, (es) =>
        ids.every((id) => es.some((e) => e.metadata.audit_id === id))
      );
      const byId = new Map(entries.map((e) => [e.metadata.audit_id, e]));
      for (const id of ids) {
        assert.ok(byId.has(id), `event ${id} not found in Loki`);
      }

      const e = byId.get(ids[0]) as LokiEntry;
      assert.equal(e.labels.service_name, 'attest-e2e');
      assert.equal(e.labels.deployment_environment_name, 'e2e');
      assert.equal(e.labels.audit_category, 'DATA_MODIFY');
      assert.equal(e.labels.severity_text ?? e.metadata.severity_text, 'WARNING');
      const m = e.metadata;
      const expected: Record<string, string> = {
        audit_id: ids[0],
        audit_event: 'hardware.updated',
        audit_action: 'update',
        audit_outcome: 'success',
        user_id: `u-${run}`,
        user_email: `ada-${run}@example.com`,
        user_name: 'Ada Lovelace',
        user_roles: 'admin,auditor',
        audit_actor_type: 'user',
        audit_target_type: 'hardware',
        audit_target_id: '142',
        audit_target_name: 'Hardware #142',
        client_address: '203.0.113.9',
        session_id: `sess-${run}`,
        audit_request_id: `req-${run}`,
        audit_compliance: 'SOX,GDPR,SOC2',
        audit_chain_seq: '1',
        audit_chain_prev: GENESIS_HASH,
      };
      for (const [k, v] of Object.entries(expected)) {
        assert.equal(m[k], v, `structured metadata ${k}`);
      }
      assert.equal(m.user_agent_original, 'curl/8 Bearer [REDACTED:bearer_token]');
      assert.match(m.audit_chain_id, /^[0-9a-f-]{36}$/);
      assert.match(m.audit_chain_hash, /^[0-9a-f]{64}$/);
      const changes = JSON.parse(m.audit_changes);
      assert.equal(changes.before.status, 'idle');
      assert.equal(changes.before.password, '[REDACTED:password]');
      assert.equal(changes.before.nested.deeper.apiKey, '[REDACTED:api_key]');
      assert.equal(changes.after.dsn, 'postgres://app:[REDACTED:password]@db:5432/x');
      const meta = JSON.parse(m.audit_metadata);
      assert.equal(meta.ticket, 'OPS-7');
      assert.equal(meta.aws, '[REDACTED:aws_access_key]');
      assert.equal(e.line, 'Hardware #142 updated; token [REDACTED:jwt]; card [REDACTED:card_number]');

      // The chain verifies from what Loki returns (as the Go verifier will do it).
      const chained = ids
        .map((id) => byId.get(id) as LokiEntry)
        .sort((a, b) => Number(a.metadata.audit_chain_seq) - Number(b.metadata.audit_chain_seq));
      let prev = GENESIS_HASH;
      for (const c of chained) {
        assert.equal(c.metadata.audit_chain_prev, prev);
        assert.equal(specHash(c), c.metadata.audit_chain_hash, `hash of seq ${c.metadata.audit_chain_seq}`);
        prev = c.metadata.audit_chain_hash;
      }

      // No planted secret anywhere in the tenant's data.
      const everything = (await queryAll(tenant, '{service_name=~".+"}', startNs)).raw + raw;
      for (const [kind, secret] of Object.entries(SECRETS)) {
        assert.ok(!everything.includes(secret), `${kind} secret found in Loki`);
        assert.ok(!everything.includes(JSON.stringify(secret).slice(1, -1)), `${kind} secret (escaped) found in Loki`);
      }
    });
  });

  describe('tenants', () => {
    it("should keep each tenant's events in its own Loki tenant, each chain verifiable", async () => {
      const tenants = [`e2e-${run}-t1`, `e2e-${run}-t2`];
      const logger = createMultiTenantAuditLogger({
        serviceName: 'attest-e2e-mt',
        environment: 'e2e',
        url: OTLP_URL,
        spoolRoot: path.join(spoolRoot, 'mt'),
      });
      const ids = new Map<string, Set<string>>(tenants.map((t) => [t, new Set<string>()]));
      try {
        for (let i = 0; i < 40; i++) {
          const tenant = tenants[i % 2];
          await runWithAuditContext({ tenant, actor: { id: `u-${i}` } }, async () => {
            ids.get(tenant)?.add(
              logger.record({
                type: 'record.read',
                category: 'DATA_ACCESS',
                action: 'read',
                target: { type: 'record', id: String(i) },
              })
            );
          });
        }
        await logger.flush();
      } finally {
        await logger.shutdown();
      }
      for (const tenant of tenants) {
        const mine = ids.get(tenant) as Set<string>;
        const { entries } = await waitForEntries(
          tenant,
          '{service_name="attest-e2e-mt"}',
          startNs,
          (es) => es.length >= mine.size
        );
        const seen = new Set(entries.map((e) => e.metadata.audit_id));
        assert.deepEqual([...seen].sort(), [...mine].sort(), `tenant ${tenant} sees exactly its own events`);
        const chain = [...entries].sort(
          (a, b) => Number(a.metadata.audit_chain_seq) - Number(b.metadata.audit_chain_seq)
        );
        let prev = GENESIS_HASH;
        chain.forEach((e, i) => {
          assert.equal(Number(e.metadata.audit_chain_seq), i + 1);
          assert.equal(e.metadata.audit_chain_prev, prev);
          assert.equal(specHash(e), e.metadata.audit_chain_hash);
          prev = e.metadata.audit_chain_hash;
        });
        assert.equal(chain.length, mine.size);
      }
    });
  });

  describe('Collector killed and restarted', () => {
    const tenant = `e2e-${run}-kill`;
    let pipeline: AuditPipeline;
    let stack: StackLib;

    before(async () => {
      stack = await stackLib();
      pipeline = createAuditPipeline({
        tenant,
        serviceName: 'attest-e2e-kill',
        environment: 'e2e',
        url: OTLP_URL,
        spoolDir: path.join(spoolRoot, 'kill'),
        meterProvider: false,
        delivery: {
          retryBudgetMillis: 3000,
          maxQueueSize: 200,
          maxExportBatchSize: 100,
          spoolProbeMillis: 500,
          exportTimeoutMillis: 5000,
        },
      });
    });
    after(async () => {
      if (!stack.isRunning('collector')) {
        await stack.startService('collector');
      }
      await pipeline.shutdown();
    });

    it('should deliver every event recorded while the Collector was down (distinct audit.id)', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 50; i++) {
        ids.add(
          pipeline.record({
            type: 'before.kill',
            category: 'SYSTEM',
            action: 'run',
            actor: { id: 'job', type: 'system' },
            metadata: { i },
          })
        );
      }
      await pipeline.flush();
      await stack.stopService('collector', { signal: 'SIGKILL' });
      for (let i = 0; i < 1000; i++) {
        ids.add(
          pipeline.record({
            type: 'during.outage',
            category: 'SYSTEM',
            action: 'run',
            actor: { id: 'job', type: 'system' },
            metadata: { i },
          })
        );
        if (i % 100 === 0) {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      let confirmedAfterRestart = false;
      const confirm = pipeline
        .recordAndConfirm(
          { type: 'during.outage.confirmed', category: 'SYSTEM', action: 'run', actor: { id: 'job', type: 'system' } },
          { timeoutMillis: 180_000 }
        )
        .then((id) => {
          confirmedAfterRestart = true;
          ids.add(id);
          return id;
        });
      await new Promise((r) => setTimeout(r, 4000));
      assert.ok(pipeline.stats().spooled > 0, `nothing spooled: ${JSON.stringify(pipeline.stats())}`);
      assert.equal(confirmedAfterRestart, false, 'confirmed while the Collector was down');
      await stack.startService('collector');
      const confirmedId = await confirm;
      for (let i = 0; i < 50; i++) {
        ids.add(
          pipeline.record({
            type: 'after.restart',
            category: 'SYSTEM',
            action: 'run',
            actor: { id: 'job', type: 'system' },
            metadata: { i },
          })
        );
      }
      const { entries } = await waitForEntries(
        tenant,
        '{service_name="attest-e2e-kill"}',
        startNs,
        (es) => new Set(es.map((e) => e.metadata.audit_id)).size >= ids.size,
        180_000
      );
      const found = new Set(entries.map((e) => e.metadata.audit_id));
      const missing = [...ids].filter((id) => !found.has(id));
      assert.equal(
        missing.length,
        0,
        `${missing.length} of ${ids.size} events missing; stats ${JSON.stringify(pipeline.stats())}`
      );
      assert.equal(found.size, ids.size);
      const seqs = new Set(entries.map((e) => Number(e.metadata.audit_chain_seq)));
      assert.equal(seqs.size, ids.size, 'every seq present (no gap in the chain)');
      // Spooled, replayed after the outage, out of order with what came after: no false break.
      const verified = verifyChain(
        entries.map((e) => fromLokiEntry(e.ts, e.line, { ...e.labels, ...e.metadata })),
        { fromStart: true }
      );
      assert.deepEqual(verified.problems, [], JSON.stringify(verified.problems.slice(0, 3)));
      assert.equal(verified.checked, ids.size);
      assert.ok(found.has(confirmedId));
      assert.ok(pipeline.stats().replayed > 0, 'the spool was replayed');
      assert.equal(pipeline.stats().failed, 0);
    });
  });
});
