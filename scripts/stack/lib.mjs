// Starts and stops the native Attest stack (Loki, the Collector and, when present, Grafana)
// as plain processes with pid files. Used by `npm run stack`, the test runner and the
// end-to-end tests (which stop and restart single services to prove nothing is lost).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');

export function stackConfig(env = process.env) {
  const dataDir = path.resolve(env.ATTEST_DATA_DIR ?? path.join(repoRoot, '.attest'));
  const lokiPort = Number(env.ATTEST_LOKI_PORT ?? 3100);
  const otlpPort = Number(env.ATTEST_OTLP_PORT ?? 4318);
  return {
    dataDir,
    runDir: path.join(dataDir, 'run'),
    logDir: path.join(dataDir, 'logs'),
    lokiPort,
    lokiGrpcPort: Number(env.ATTEST_LOKI_GRPC_PORT ?? lokiPort + 6000),
    otlpPort,
    collectorMetricsPort: Number(env.ATTEST_COLLECTOR_METRICS_PORT ?? 8888),
    grafanaPort: Number(env.ATTEST_GRAFANA_PORT ?? 3000),
    lokiUrl: `http://127.0.0.1:${lokiPort}`,
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
  };
}

const log = (msg) => process.stderr.write(`[stack] ${msg}\n`);

/** Builds (first time) or finds the cached binaries. */
export function buildBinaries() {
  const result = spawnSync('bash', [path.join(here, 'build.sh'), 'all'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`building the stack binaries failed (exit ${result.status})`);
  }
  const paths = Object.fromEntries(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('='))
      .filter((kv) => kv.length === 2)
  );
  return { loki: paths.LOKI_BIN, otelcol: paths.OTELCOL_BIN };
}

export function findGrafana(env = process.env) {
  const candidates = [];
  if (env.GRAFANA_HOME) {
    candidates.push(path.join(env.GRAFANA_HOME, 'bin', 'grafana'));
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir) {
      candidates.push(path.join(dir, 'grafana'));
    }
  }
  const bin = candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!bin) {
    return null;
  }
  const home = env.GRAFANA_HOME ?? path.resolve(path.dirname(fs.realpathSync(bin)), '..');
  return { bin, home };
}

function serviceSpec(name, cfg, bins) {
  switch (name) {
    case 'loki':
      return {
        bin: bins.loki,
        args: ['-config.file', path.join(repoRoot, 'provisioning/loki/loki.yaml'), '-config.expand-env=true'],
        env: {
          LOKI_PORT: String(cfg.lokiPort),
          LOKI_GRPC_PORT: String(cfg.lokiGrpcPort),
          LOKI_DATA_DIR: path.join(cfg.dataDir, 'loki'),
          LOKI_RUNTIME_CONFIG: path.join(repoRoot, 'provisioning/loki/overrides.yaml'),
        },
        ready: () => httpOk(`${cfg.lokiUrl}/ready`),
      };
    case 'collector':
      return {
        bin: bins.otelcol,
        args: [`--config=${path.join(repoRoot, 'provisioning/collector/config.yaml')}`],
        env: {
          ATTEST_OTLP_HTTP_ENDPOINT: `127.0.0.1:${cfg.otlpPort}`,
          ATTEST_COLLECTOR_STORAGE_DIR: path.join(cfg.dataDir, 'collector'),
          ATTEST_COLLECTOR_METRICS_PORT: String(cfg.collectorMetricsPort),
          LOKI_ENDPOINT: cfg.lokiUrl,
        },
        ready: async () =>
          (await httpOk(`http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`)) && (await tcpOpen(cfg.otlpPort)),
      };
    case 'grafana': {
      const grafana = findGrafana();
      if (!grafana) {
        return null;
      }
      const pluginsDir = path.join(cfg.dataDir, 'grafana', 'plugins');
      fs.mkdirSync(pluginsDir, { recursive: true });
      const link = path.join(pluginsDir, 'attest-auditlog-app');
      fs.rmSync(link, { force: true, recursive: true });
      fs.symlinkSync(path.join(repoRoot, 'dist'), link);
      return {
        bin: grafana.bin,
        args: ['server', '--homepath', grafana.home],
        env: {
          GF_SERVER_HTTP_ADDR: '127.0.0.1',
          GF_SERVER_HTTP_PORT: String(cfg.grafanaPort),
          GF_PATHS_DATA: path.join(cfg.dataDir, 'grafana', 'data'),
          GF_PATHS_LOGS: cfg.logDir,
          GF_PATHS_PLUGINS: pluginsDir,
          GF_PATHS_PROVISIONING: path.join(repoRoot, 'provisioning'),
          GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: 'attest-auditlog-app',
          GF_AUTH_ANONYMOUS_ENABLED: 'false',
          LOKI_URL: cfg.lokiUrl,
          ATTEST_TENANT: process.env.ATTEST_TENANT ?? 'demo',
        },
        ready: () => httpOk(`http://127.0.0.1:${cfg.grafanaPort}/api/health`),
      };
    }
    default:
      throw new Error(`unknown service ${name}`);
  }
}

async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function tcpOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const pidFile = (cfg, name) => path.join(cfg.runDir, `${name}.pid`);

function readPid(cfg, name) {
  try {
    const pid = Number(fs.readFileSync(pidFile(cfg, name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when pid is alive and is the process this stack started (not a reused pid). */
function isOurs(pid, bin) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const exe = fs.readlinkSync(`/proc/${pid}/exe`);
    return path.basename(exe).replace(/ \(deleted\)$/, '') === path.basename(bin);
  } catch {
    return true;
  }
}

export function isRunning(name, cfg = stackConfig()) {
  const pid = readPid(cfg, name);
  if (!pid) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check, { timeoutMillis, what }) {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (await check()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
}

export async function startService(
  name,
  { cfg = stackConfig(), bins = buildBinaries(), timeoutMillis = 120_000 } = {}
) {
  const spec = serviceSpec(name, cfg, bins);
  if (!spec) {
    return null;
  }
  fs.mkdirSync(cfg.runDir, { recursive: true });
  fs.mkdirSync(cfg.logDir, { recursive: true });
  const existing = readPid(cfg, name);
  if (existing && isOurs(existing, spec.bin)) {
    log(`${name} already running (pid ${existing})`);
  } else {
    const out = fs.openSync(path.join(cfg.logDir, `${name}.log`), 'a');
    const child = spawn(spec.bin, spec.args, {
      cwd: repoRoot,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', out, out],
      detached: true,
    });
    child.unref();
    fs.closeSync(out);
    fs.writeFileSync(pidFile(cfg, name), `${child.pid}\n`);
    let exited = null;
    child.once('exit', (code) => (exited = code));
    await waitFor(
      async () => {
        if (exited !== null) {
          throw new Error(`${name} exited with code ${exited}; see ${path.join(cfg.logDir, `${name}.log`)}`);
        }
        return spec.ready();
      },
      { timeoutMillis, what: `${name} to become ready` }
    );
  }
  return spec;
}

/** Stops a service started by this stack. signal SIGKILL simulates a crash. */
export async function stopService(name, { cfg = stackConfig(), signal = 'SIGTERM', timeoutMillis = 30_000 } = {}) {
  const pid = readPid(cfg, name);
  if (!pid) {
    return false;
  }
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) {
    process.kill(pid, signal);
    try {
      await waitFor(async () => !alive(), { timeoutMillis, what: `${name} (pid ${pid}) to exit` });
    } catch {
      process.kill(pid, 'SIGKILL');
      await waitFor(async () => !alive(), { timeoutMillis: 5000, what: `${name} (pid ${pid}) to die` });
    }
  }
  fs.rmSync(pidFile(cfg, name), { force: true });
  return true;
}

export const SERVICES = ['loki', 'collector', 'grafana'];

export async function startStack({ cfg = stackConfig(), only = SERVICES } = {}) {
  const bins = buildBinaries();
  const started = {};
  for (const name of only) {
    if (name === 'grafana' && !findGrafana()) {
      log('no grafana server binary (set GRAFANA_HOME or put grafana on PATH): Grafana not started');
      continue;
    }
    started[name] = await startService(name, { cfg, bins });
  }
  return started;
}

export async function stopStack({ cfg = stackConfig(), only = [...SERVICES].reverse() } = {}) {
  for (const name of only) {
    if (await stopService(name, { cfg })) {
      log(`stopped ${name}`);
    }
  }
}
