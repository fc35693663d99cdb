#!/usr/bin/env node
// `npm test`: every suite of the project, against the real servers.
// Unit suites first (jest, go test, the instrumentation package), then the native stack is
// started (Loki, the Collector and Grafana with the built plugin; servers built on first use) and the
// end-to-end suites run against it.
// The stack is always stopped, also on failure or Ctrl-C. The last line sums every suite:
//   N passed, N failed
//
// ATTEST_TEST_SUITES=jest,go,...   run only these suites
// A stack that is already running (npm run stack) is used as it is and left running.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  GATEWAY_SERVICE_USER,
  SERVICES,
  gatewayPassword,
  isRunning,
  lokiAuthorization,
  otlpHeadersEnv,
  repoRoot,
  stackConfig,
  startStack,
  stopStack,
} from './stack/lib.mjs';

// nginx (the Loki gateway), Chromium (the browser check) and PostgreSQL (the HA check) come from Debian: installed when allowed,
// otherwise the run stops at once with one line saying what is missing.
if (
  spawnSync('bash', [path.join(repoRoot, 'scripts/system-deps.sh'), 'nginx-light', 'chromium', 'postgresql'], {
    stdio: 'inherit',
  }).status !== 0
) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (!fs.existsSync(path.join(repoRoot, 'node_modules'))) {
  console.log('=== installing dependencies (npm ci)');
  if (spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-test-'));
const needsStack = new Set(['stack', 'grafana', 'instrumentation-e2e', 'query-e2e', 'browser', 'go-postgres', 'ha']);

/** A node:test suite run through an npm script. */
function npmSuite(name, ...args) {
  return { name, cmd: 'npm', args: ['--silent', ...args], counts: nodeTestCounts };
}

/** Each suite: how to run it and how to read its counts. */
const exitCodeCounts = (_output, code) => (code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });

const suites = [
  {
    name: 'typecheck',
    cmd: 'bash',
    // The package's benches import its build output, so build it before checking them.
    args: [
      '-c',
      'npm run --silent typecheck && npm run --silent -w instrumentation build && npm run --silent -w instrumentation typecheck',
    ],
    counts: exitCodeCounts,
  },
  {
    name: 'lint',
    cmd: 'npm',
    args: ['run', '--silent', 'lint'],
    counts: exitCodeCounts,
  },
  {
    name: 'jest',
    cmd: 'npx',
    args: ['jest', '--ci', '--maxWorkers=2', '--json', `--outputFile=${path.join(tmp, 'jest.json')}`],
    counts: () => {
      const r = JSON.parse(fs.readFileSync(path.join(tmp, 'jest.json'), 'utf8'));
      return { passed: r.numPassedTests, failed: r.numFailedTests + r.numRuntimeErrorTestSuites };
    },
  },
  {
    name: 'go',
    cmd: 'go',
    args: ['test', '-v', '-count=1', './pkg/...'],
    counts: goCounts,
  },
  {
    // The Collector's redaction processor: a module of its own, built into the Collector by ocb.
    name: 'go-collector',
    // Every Collector module of ours (each its own Go module).
    cmd: 'bash',
    args: ['-c', 'rc=0; for m in collector/*/; do go test -C "$m" -v -count=1 ./... || rc=1; done; exit $rc'],
    counts: goCounts,
  },
  npmSuite('instrumentation', '-w', 'instrumentation', 'run', 'test'),
  npmSuite('stack', 'run', 'test:stack'),
  npmSuite('grafana', 'run', 'test:grafana'),
  npmSuite('instrumentation-e2e', '-w', 'instrumentation', 'run', 'test:e2e'),
  npmSuite('query-e2e', 'run', 'test:query-e2e'),
  {
    name: 'browser',
    cmd: 'bash',
    args: ['tests/browser/check.sh'],
    counts: plainCounts,
  },
  {
    // The stores' tests again, on the stack's PostgreSQL (what Grafana in HA shares).
    name: 'go-postgres',
    cmd: 'bash',
    args: [
      '-c',
      'node scripts/stack/stack.mjs start postgres >&2 && ATTEST_TEST_DATABASE_URL="$(node scripts/stack/stack.mjs database-url)" go test -v -count=1 ./pkg/sqldb/... ./pkg/tenantfile ./pkg/jobs ./pkg/dailycounts ./pkg/seal',
    ],
    counts: goCounts,
  },
  npmSuite('ha', 'run', 'test:ha'),
];

function plainCounts(output) {
  const m = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 0 };
}

function goCounts(output) {
  return {
    passed: (output.match(/^\s*--- PASS: /gm) ?? []).length,
    failed: (output.match(/^\s*--- FAIL: /gm) ?? []).length,
  };
}

function nodeTestCounts(output) {
  const pass = /^(?:ℹ|#) pass (\d+)/m.exec(output);
  const fail = /^(?:ℹ|#) fail (\d+)/m.exec(output);
  return { passed: pass ? Number(pass[1]) : 0, failed: fail ? Number(fail[1]) : 0 };
}

function run(suite) {
  return new Promise((resolve) => {
    const env = { ...process.env, ATTEST_LOKI_URL: cfg.lokiUrl, ATTEST_OTLP_URL: cfg.otlpUrl, ...suite.env };
    if (needsStack.has(suite.name)) {
      // The stack's producer credential: every OTLP sender of these suites gets it (the Collector asks for one).
      env.OTEL_EXPORTER_OTLP_HEADERS ??= otlpHeadersEnv(cfg);
      // The Loki gateway's service credential, for the suites that check what Loki holds.
      env.ATTEST_LOKI_AUTHORIZATION ??= lokiAuthorization(cfg);
      env.ATTEST_LOKI_USER ??= GATEWAY_SERVICE_USER;
      env.ATTEST_LOKI_PASSWORD ??= gatewayPassword(cfg);
    }
    const child = spawn(suite.cmd, suite.args, { cwd: repoRoot, env });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

const wanted = process.env.ATTEST_TEST_SUITES?.split(',').map((s) => s.trim());
const selected = suites.filter((s) => !wanted || wanted.includes(s.name));
const cfg = stackConfig();
const stackWasRunning = SERVICES.every((name) => isRunning(name, cfg));
let stackStarted = false;

async function stopOwnStack() {
  // Stop only what this run started: a stack that was already up is someone else's.
  if (stackStarted && !stackWasRunning) {
    await stopStack({ cfg });
    stackStarted = false;
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await stopOwnStack();
    process.exit(130);
  });
}

const results = [];
try {
  for (const suite of selected) {
    if (needsStack.has(suite.name) && !stackStarted) {
      console.log('\n=== starting the native stack (Loki, Collector, Grafana)');
      await startStack({ cfg });
      stackStarted = true;
    }
    console.log(`\n=== suite: ${suite.name}`);
    const { code, output } = await run(suite);
    let counts;
    try {
      counts = suite.counts(output, code);
    } catch (err) {
      counts = { passed: 0, failed: 0, error: err.message };
    }
    // A suite that exits non-zero without a counted failure (a crash, a compile error) counts as one failure.
    if (code !== 0 && counts.failed === 0) {
      counts.failed = 1;
    }
    results.push({ name: suite.name, code, ...counts });
  }
} finally {
  await stopOwnStack();
}

console.log('\n=== summary');
let passed = 0;
let failed = 0;
for (const r of results) {
  passed += r.passed;
  failed += r.failed;
  console.log(`${r.name.padEnd(22)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
