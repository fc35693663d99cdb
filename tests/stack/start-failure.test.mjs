// `npm run stack` with Grafana's port taken: one clear line naming the cause, and nothing it started
// is left running (a second stack on its own ports and data dir, beside the one the tests use).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { repoRoot } from '../../scripts/stack/lib.mjs';

/** A port nothing listens on right now. */
async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

test('a busy Grafana port stops the stack with one line, and leaves nothing running', async () => {
  const [lokiPort, grpcPort, otlpPort, metricsPort, s3Port] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-busy-'));
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const busyPort = blocker.address().port;
  try {
    const res = spawnSync('node', ['scripts/stack/stack.mjs', 'start'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 180_000,
      env: {
        ...process.env,
        ATTEST_DATA_DIR: dataDir,
        ATTEST_LOKI_PORT: String(lokiPort),
        ATTEST_LOKI_GRPC_PORT: String(grpcPort),
        ATTEST_OTLP_PORT: String(otlpPort),
        ATTEST_COLLECTOR_METRICS_PORT: String(metricsPort),
        ATTEST_S3_PORT: String(s3Port),
        ATTEST_GRAFANA_PORT: String(busyPort),
      },
    });
    assert.equal(res.status, 1, res.stderr);
    const last = res.stderr.trim().split('\n').pop();
    assert.match(last, new RegExp(`grafana cannot start: port ${busyPort} on 127.0.0.1 is already in use`));
    const runDir = path.join(dataDir, 'run');
    const left = fs.existsSync(runDir) ? fs.readdirSync(runDir).filter((f) => f.endsWith('.pid')) : [];
    assert.deepEqual(left, [], 'no pid file left: what was started was stopped');
    for (const port of [lokiPort, otlpPort, s3Port]) {
      const open = await new Promise((r) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), r(true)));
        s.once('error', () => r(false));
      });
      assert.equal(open, false, `nothing listens on ${port}`);
    }
  } finally {
    blocker.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
