// Retention through the real Grafana, backend and Loki: a window set in the app reaches the runtime
// overrides Loki reads; a window under the 30-day floor is refused and leaves the old one; the run
// counts and archives exactly the entries past the window and records a System entry; the archive
// verifies against its signed manifest; Loki's compactor removes chunks past the window; a run under
// the floor is refused; only Admins change retention.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { before, test } from 'node:test';

import { main as cli } from '../../instrumentation/src/cli/main.ts';
import { lokiHeaders, s3Root, startService, stopService } from '../../scripts/stack/lib.mjs';
import { RESOURCES, cfg, createUser, ensureSecondOrg, eventually, grafana } from './helpers.mjs';

const run = randomBytes(4).toString('hex');
const service = `retention-${run}`;
const DAY = 86_400_000_000_000n;
const now = BigInt(Date.now()) * 1_000_000n;
let org;
let tenant;
let pushed;
const dataDir = path.join(cfg.dataDir, 'grafana', 'attest');

/** Entries written straight into Loki with old timestamps, as a producer's would have been. */
async function push(list) {
  const streams = list.map((e) => ({
    // Entries past the window in a stream of their own: Loki drops whole chunks, and a chunk that
    // also holds younger entries stays until its newest one is past the window.
    stream: {
      service_name: service,
      deployment_environment_name: e.env ?? 'test',
      audit_category: e.category,
      severity_text: 'INFO',
    },
    values: [
      [
        e.ts.toString(),
        e.line,
        {
          audit_id: e.id,
          audit_event: 'user.updated',
          audit_action: 'update',
          audit_outcome: 'success',
          audit_actor_id: 'u1',
        },
      ],
    ],
  }));
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...lokiHeaders(tenant) },
    body: JSON.stringify({ streams }),
  });
  assert.ok(res.ok, `push ${res.status} ${await res.text()}`);
}

async function count(fromNs, toNs, extra = '', sel = `{service_name="${service}"${extra}}`) {
  const ms = (toNs - fromNs) / 1_000_000n;
  const qs = new URLSearchParams({
    query: `sum(count_over_time(${sel} [${ms}ms]))`,
    time: ((toNs - 1n) / 1_000_000_000n).toString(),
  });
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query?${qs}`, { headers: lokiHeaders(tenant) });
  const body = await res.json();
  return Number(body.data?.result?.[0]?.value?.[1] ?? 0);
}

const put = (body, opts = {}) => grafana('PUT', `${RESOURCES}/retention`, { org, body, ...opts });
const view = (opts = {}) => grafana('GET', `${RESOURCES}/retention`, { org, ...opts });

async function runNow() {
  const started = await grafana('POST', `${RESOURCES}/retention/runs`, { org });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  return eventually(
    async () => {
      const v = await view();
      return v.body.runs?.find((r) => r.id === started.body.id);
    },
    { timeoutMillis: 120_000, intervalMillis: 500 }
  );
}

before(async () => {
  org = await ensureSecondOrg();
  tenant = cfg.tenants
    .split(',')
    .find((p) => p.startsWith(`${org}=`))
    ?.split('=')[1];
  assert.ok(tenant, `org ${org} has a tenant`);
  // This test's runs start from nothing (a rerun on the same data would continue from the last cutoff).
  // The backend then owes the tenant a run (a missed night) and catches it up under the default
  // window within a minute; the test's own run comes after, under the test's window.
  fs.rmSync(path.join(dataDir, `retention-${tenant}.json`), { force: true });
  const caughtUp = await eventually(
    async () => {
      const v = await view();
      // Within 10 minutes after prune_at (03:00 UTC) the owed run is the night's own ("schedule").
      return v.body.runs?.some((r) => r.trigger === 'catch-up' || r.trigger === 'schedule') && !v.body.running
        ? v.body
        : undefined;
    },
    { timeoutMillis: 150_000, intervalMillis: 1000 }
  );
  assert.ok(caughtUp, 'a missed night is caught up');
  assert.equal(caughtUp.runs[0].segments[0].days, 365);
  const at = (days, extra = 0n) => now - BigInt(days) * DAY + extra;
  pushed = [
    ...Array.from({ length: 5 }, (_, i) => ({
      ts: at(40, BigInt(i) * 1_000_000n),
      category: 'USER_MGMT',
      env: 'test-old',
      id: `old-${run}-${i}`,
    })),
    ...Array.from({ length: 4 }, (_, i) => ({
      ts: at(31, BigInt(i) * 1_000_000n),
      category: 'USER_MGMT',
      id: `grace-${run}-${i}`,
    })),
    ...Array.from({ length: 3 }, (_, i) => ({
      ts: at(40, BigInt(i) * 1_000_000n),
      category: 'AUTH',
      id: `auth-${run}-${i}`,
    })),
    ...Array.from({ length: 6 }, (_, i) => ({
      ts: at(10, BigInt(i) * 1_000_000n),
      category: 'USER_MGMT',
      id: `new-${run}-${i}`,
    })),
  ].map((e) => ({ ...e, line: `retention test ${e.id}` }));
  await push(pushed);
  await eventually(async () => (await count(now - 50n * DAY, now)) === pushed.length, { timeoutMillis: 30_000 });
  // Into storage, where the compactor works. Loki ships an index period every 15 minutes, or at
  // start: a graceful stop flushes every chunk (flush_on_shutdown), and the ingester's WAL, whose
  // replay would hold the old entries in memory again, holds nothing unflushed after it.
  await stopService('loki', { cfg });
  fs.rmSync(path.join(cfg.dataDir, 'loki', 'wal'), { recursive: true, force: true });
  await startService('loki', { cfg });
});

test('only an Admin changes retention; a window under 30 days is refused and leaves the old one', async () => {
  const viewer = await createUser('Viewer', { prefix: 'retention-viewer' });
  const editor = await createUser('Editor', { prefix: 'retention-editor' });
  for (const as of [viewer, editor]) {
    const res = await grafana('PUT', `${RESOURCES}/retention`, { as, body: { days: 400, archive: false } });
    assert.equal(res.status, 403, `${as.role}: ${JSON.stringify(res.body)}`);
    assert.equal((await grafana('POST', `${RESOURCES}/retention/runs`, { as })).status, 403);
  }
  const first = await put({ days: 400, archive: false });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const low = await put({ days: 29, archive: false });
  assert.equal(low.status, 400);
  assert.equal(low.body.error, 'invalid_retention');
  assert.match(low.body.message, /below the 30-day minimum/);
  const cat = await put({ days: 365, categories: { AUTH: 7 }, archive: false });
  assert.equal(cat.status, 400);
  assert.match(cat.body.message, /categories\.AUTH/);
  assert.equal((await put({ days: 'many' })).status, 400);
  assert.equal((await view()).body.policy.days, 400, 'the old window stays');
});

test('the window reaches the runtime overrides Loki reads', async () => {
  const res = await put({ days: 30, categories: { AUTH: 60 }, archive: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.lokiDays, 32, 'Loki keeps two more days while the archive is on');
  // What Loki applies to the tenant now (its limits after merging the runtime files).
  const limits = await eventually(
    async () => {
      const r = await fetch(`${cfg.lokiUrl}/config/tenant/v1/limits`, { headers: lokiHeaders(tenant) });
      const text = await r.text();
      return /retention_period: 32d/.test(text) ? text : undefined;
    },
    { timeoutMillis: 30_000 }
  );
  assert.ok(limits, "Loki's limits for the tenant carry the window");
  assert.match(limits, /period: 62d\s+priority: 1\s+selector: '\{audit_category="AUTH"\}'/);
  assert.equal((await view()).body.lokiRetention, '32d', 'the page shows what Loki applies');
  const trail = await eventually(async () => {
    const qs = new URLSearchParams({
      query: '{service_name="attest-grafana-app"} | audit_event="audit.retention.changed"',
      start: (now - 60_000_000_000n).toString(),
      end: (BigInt(Date.now() + 60_000) * 1_000_000n).toString(),
    });
    const r = await fetch(`${cfg.lokiUrl}/loki/api/v1/query_range?${qs}`, { headers: lokiHeaders(tenant) });
    const b = await r.json();
    return b.data.result.length > 0 ? b.data.result : undefined;
  });
  assert.ok(trail, 'the change is in the trail');
});

/** An s3:// location of the stack's S3 server as the file its posix backend keeps. */
const local = (loc) => {
  assert.match(loc, /^s3:\/\//, 'archived to the S3 bucket');
  return path.join(s3Root(cfg), loc.slice('s3://'.length));
};

test('the run counts and archives exactly the entries past the window to the S3 bucket, verifiable, and records it', async () => {
  const r = await runNow();
  assert.equal(r.status, 'ok', JSON.stringify(r));
  const archive = local(r.archive.location);
  const manifest = local(r.archive.manifest);
  const sig = manifest.replace(/\.json$/, '.sig');
  const def = r.segments.find((s) => !s.category);
  const auth = r.segments.find((s) => s.category === 'AUTH');
  // Ours: 5 at 40 days and 4 at 31 days past the 30-day window; AUTH at 40 days is inside its 60.
  const ours = pushed.filter((e) => e.category === 'USER_MGMT' && e.ts < now - 30n * DAY);
  assert.equal(
    def.rows,
    await count(BigInt(def.fromNs), BigInt(def.cutoffNs), '', '{service_name=~".+", audit_category!="AUTH"}'),
    'equals LogQL'
  );
  assert.ok(def.rows >= ours.length);
  assert.equal(auth.rows, 0);
  const lines = gunzipSync(fs.readFileSync(archive))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, r.rows);
  const archivedIds = new Set(lines.map((e) => e.id ?? e.labels?.audit_id));
  for (const e of ours) {
    assert.ok(archivedIds.has(e.id), `${e.id} archived`);
  }
  for (const e of pushed.filter((x) => !ours.includes(x))) {
    assert.ok(!archivedIds.has(e.id), `${e.id} is not past its window`);
  }
  // The archive checks against its signed manifest with the integrity CLI.
  const key = await grafana('GET', `${RESOURCES}/signing-key`, { org });
  const out = [];
  const code = await cli(
    ['verify', '--file', archive, '--manifest', manifest, '--signature', `@${sig}`, '--public-key', key.body.publicKey],
    (s) => out.push(s)
  );
  assert.equal(code, 0, out.join('\n'));
  // Tampered: one byte changed.
  const copy = `${archive}.tampered`;
  const bytes = fs.readFileSync(archive);
  bytes[bytes.length - 10] ^= 0xff;
  fs.writeFileSync(copy, bytes);
  assert.notEqual(
    await cli(
      ['verify', '--file', copy, '--manifest', manifest, '--signature', `@${sig}`, '--public-key', key.body.publicKey],
      () => {}
    ),
    0
  );
  const entry = await eventually(async () => {
    const qs = new URLSearchParams({
      query: '{service_name="attest-grafana-app"} | audit_event="audit.retention.pruned"',
      start: (now - 60_000_000_000n).toString(),
      end: (BigInt(Date.now() + 60_000) * 1_000_000n).toString(),
    });
    const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query_range?${qs}`, {
      headers: { ...lokiHeaders(tenant), 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
    });
    const b = await res.json();
    for (const s of b.data.result) {
      for (const [, line, extra] of s.values) {
        const md = extra?.structuredMetadata ?? {};
        if (JSON.parse(md.audit_metadata ?? '{}').run === r.id) {
          return { line, md };
        }
      }
    }
    return undefined;
  });
  assert.ok(entry, 'the run is in the trail');
  assert.equal(entry.md.audit_actor_type, 'system');
  const md = JSON.parse(entry.md.audit_metadata);
  assert.equal(md.rows, r.rows);
  assert.equal(md.archive_sha256, r.archive.sha256);
  assert.match(entry.line, new RegExp(`${r.rows} entries past the 30-day window \\(cutoff \\d{4}-\\d{2}-\\d{2}\\)`));
});

test("Loki's compactor removes the chunks past the window and keeps the rest", async () => {
  const gone = await eventually(
    async () =>
      (await count(now - 41n * DAY, now - 39n * DAY, ', audit_category="USER_MGMT"')) === 0 ? true : undefined,
    { timeoutMillis: 600_000, intervalMillis: 5000 }
  );
  assert.ok(gone, 'entries 40 days old are gone (window 30 + 2 days of grace)');
  assert.equal(await count(now - 32n * DAY, now - 30n * DAY), 4, 'entries 31 days old are inside the grace');
  assert.equal(await count(now - 41n * DAY, now - 39n * DAY, ', audit_category="AUTH"'), 3, 'AUTH keeps 60 days');
  assert.equal(await count(now - 11n * DAY, now - 9n * DAY), 6);
});

test('a run under the 30-day floor is refused and recorded', async () => {
  // A window under the floor cannot be set through the app; a hand-edited store must not run either.
  const file = path.join(dataDir, `retention-${tenant}.json`);
  const st = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...st, policy: { days: 20, archive: false } }));
  const r = await runNow();
  assert.equal(r.status, 'refused');
  assert.match(r.message, /below the 30-day minimum/);
  fs.writeFileSync(file, JSON.stringify(st));
});
