// Starts and stops the native Attest stack (Loki, the Collector and, when present, Grafana)
// as plain processes with pid files. Used by `npm run stack`, the test runner and the
// end-to-end tests (which stop and restart single services to prove nothing is lost).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');

export function stackConfig(env = process.env) {
  const dataDir = path.resolve(env.ATTEST_DATA_DIR ?? path.join(repoRoot, '.attest'));
  const lokiPort = Number(env.ATTEST_LOKI_PORT ?? 3100);
  const otlpPort = Number(env.ATTEST_OTLP_PORT ?? 4318);
  const grafanaPort = Number(env.ATTEST_GRAFANA_PORT ?? 3000);
  return {
    dataDir,
    runDir: path.join(dataDir, 'run'),
    logDir: path.join(dataDir, 'logs'),
    lokiPort,
    lokiGrpcPort: Number(env.ATTEST_LOKI_GRPC_PORT ?? lokiPort + 6000),
    otlpPort,
    collectorMetricsPort: Number(env.ATTEST_COLLECTOR_METRICS_PORT ?? 8888),
    grafanaPort,
    grafanaUrl: `http://127.0.0.1:${grafanaPort}`,
    // The gateway's address: Loki itself listens on a unix socket only the gateway reaches.
    lokiUrl: `http://127.0.0.1:${lokiPort}`,
    lokiSocket: lokiSocketPath(dataDir),
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    // PostgreSQL, started only for the HA check (two Grafana servers sharing it): see HA below.
    pgPort: Number(env.ATTEST_PG_PORT ?? 5433),
    s3Port: Number(env.ATTEST_S3_PORT ?? 7070),
    s3Url: `http://127.0.0.1:${Number(env.ATTEST_S3_PORT ?? 7070)}`,
    defaultTenant: env.ATTEST_TENANT ?? DEFAULT_TENANT,
    // Grafana org id -> Loki tenant; orgs 2 and 3 exist only once a test or an admin creates them.
    // Shards long jobs read from Loki at once (read_workers; the benches compare 1 with the default).
    readWorkers: Number(env.ATTEST_READ_WORKERS ?? 4),
    readShardRows: Number(env.ATTEST_READ_SHARD_ROWS ?? 500),
    tenants: env.ATTEST_TENANTS ?? `1=${env.ATTEST_TENANT ?? DEFAULT_TENANT},2=globex,3=initech`,
  };
}

const log = (msg) => process.stderr.write(`[stack] ${msg}\n`);

/**
 * Loki's unix socket (Loki adds ":0" to its name). A socket path must stay under 108 bytes: a deep
 * data dir gets one in the temp directory, named after the data dir.
 */
function lokiSocketPath(dataDir) {
  const inside = path.join(dataDir, 'run', 'loki.sock');
  if (Buffer.byteLength(inside) + 2 < 100) {
    return inside;
  }
  return path.join(os.tmpdir(), `attest-loki-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}.sock`);
}

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
  return {
    loki: paths.LOKI_BIN,
    otelcol: paths.OTELCOL_BIN,
    grafana: paths.GRAFANA_BIN,
    grafanaHome: paths.GRAFANA_HOME,
    versitygw: paths.VERSITYGW_BIN,
    // The gateway in front of Loki: Debian's nginx (nginx-light).
    nginx: fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx',
  };
}

/** Grafana's admin account in the native stack (never exposed beyond 127.0.0.1). */
export const GRAFANA_ADMIN = { user: 'admin', password: process.env.ATTEST_GRAFANA_ADMIN_PASSWORD ?? 'admin' };

/** The tenant of org 1 in the native stack, the demo and compose: one default story. */
export const DEFAULT_TENANT = 'acme';

/**
 * grafana.ini of the native stack: everything under the data dir, the plugin loaded unsigned by id.
 * An HA server (ha) has its own port and directory, Grafana's database and the app's state in the
 * shared PostgreSQL, and the keys directory and files bucket every server shares.
 */
function grafanaIni(cfg, ha) {
  const g = ha ? ha.dir : path.join(cfg.dataDir, 'grafana');
  const port = ha ? ha.port : cfg.grafanaPort;
  const tenants = ha ? `1=${HA.tenant}` : cfg.tenants;
  const keysDir = ha ? haKeysDir(cfg) : path.join(g, 'attest');
  const haApp = ha
    ? `# HA: the state every server shares (scripts/stack/lib.mjs HA).
database_url = ${databaseUrl(cfg, 'attest')}
keys_dir = ${keysDir}
files_s3_bucket = ${HA.filesBucket}
verify_at = ${ha.verifyAt}
`
    : '';
  return `# Written by scripts/stack/lib.mjs on every start.
app_mode = development
[server]
http_addr = 127.0.0.1
http_port = ${port}
${
  ha
    ? `[database]
type = postgres
host = 127.0.0.1:${cfg.pgPort}
name = grafana
user = ${HA.pgUser}
password = ${pgPassword(cfg)}
`
    : ''
}[paths]
data = ${path.join(g, 'data')}
logs = ${cfg.logDir}
plugins = ${path.join(g, 'plugins')}
provisioning = ${path.join(repoRoot, 'provisioning')}
[security]
# A second line behind the gateway: the datasource proxy reaches only these hosts (a Tempo for the
# viewer's trace links), never the audit store's gateway.
data_source_proxy_whitelist = 127.0.0.1:3200
admin_user = ${GRAFANA_ADMIN.user}
admin_password = ${GRAFANA_ADMIN.password}
[auth.anonymous]
enabled = false
[analytics]
reporting_enabled = false
check_for_updates = false
check_for_plugin_updates = false
[plugins]
allow_loading_unsigned_plugins = attest-auditlog-app,attest-auditcounts-datasource
[unified_alerting]
enabled = true
# Contact points and notification policies the app changes reach the Alertmanager at its next poll.
alertmanager_config_poll_interval = 10s
[log]
mode = file
level = info
# Server-level plugin settings, passed to the backend as GF_PLUGIN_* (org admins cannot change them).
[plugin.attest-auditlog-app]
tenants = ${tenants}
# The audit store, through its gateway, with the service credential (never in an org's settings).
loki_url = ${cfg.lokiUrl}
loki_user = ${GATEWAY_SERVICE_USER}
loki_password = ${gatewayPassword(cfg)}
collector_url = ${cfg.otlpUrl}
# The Collector's metrics: records per tenant and day, which the Overview's daily counts are checked against.
collector_metrics_url = http://127.0.0.1:${cfg.collectorMetricsPort}/metrics
# The backend's producer credential at the Collector (tenant "*", the only one bound to attest-grafana-app).
collector_token = ${backendToken(cfg)}
data_dir = ${path.join(g, 'attest')}
grafana_url = http://127.0.0.1:${port}
# Per-subject identity keys, shared with producers (subjectKeys): erasure deletes a person's key.
subject_keys_dir = ${subjectKeysDir(cfg)}
# The producers' chain keys, {"key id": "hex secret"}: verifications check keyed chains with them.
chain_keys_file = ${path.join(cfg.dataDir, 'chain-keys.json')}
# How often producers' chain checkpoints are collected (1m unless set; short here for the tests).
checkpoint_every = 5s
# Shards of a range long jobs (exports, verifications, reports, archives) read from Loki at once.
read_workers = ${cfg.readWorkers}
# About how many rows one shard holds (25000 unless set): small here, so every test reads through many
# shards, tie groups and copies at their edges included. The benches use the default.
read_shard_rows = ${cfg.readShardRows}
# The runtime overrides file Loki lists last: retention windows set in the app go there.
loki_overrides_file = ${retentionOverrides(cfg)}
# Retention archives go to the S3-compatible server of the stack (versitygw).
archive_s3_endpoint = ${cfg.s3Url}
archive_s3_bucket = ${S3.bucket}
archive_s3_access_key = ${S3.accessKey}
archive_s3_secret_key = ${S3.secretKey}
# Signed chain-head digests go to a write-once bucket of their own (created with S3 object lock),
# every 15s here for the tests (1h unless set).
digest_s3_bucket = ${S3.digestBucket}
digest_every = 15s
# How often report schedules are looked at for ended periods and runs to announce (1m unless set).
schedule_every = 3s
${haApp}[plugin.attest-auditcounts-datasource]
tenants = ${tenants}
loki_url = ${cfg.lokiUrl}
loki_user = ${GATEWAY_SERVICE_USER}
loki_password = ${gatewayPassword(cfg)}
# Answers that name people (per-actor counts, actor lists) are recorded here before they are given.
collector_url = ${cfg.otlpUrl}
collector_token = ${backendToken(cfg)}
# Shared with the app: the key it signs its alert rules' queries with (the app's keys directory).
data_dir = ${keysDir}
${ha ? `database_url = ${databaseUrl(cfg, 'attest')}\n` : ''}
# The app's subject keys: Admins see who an encrypted actor is in per-actor counts, [erased] once erased.
subject_keys_dir = ${subjectKeysDir(cfg)}
`;
}

/**
 * The stack's own producer credential: a token made once per data dir, whose SHA-256 the Collector's
 * credentials file holds with tenant "*" (it names its tenant in X-Scope-OrgID). The backend, the
 * demo and the tests send it; a test adds producers of one tenant to the file as an operator would.
 */
export const producerTokenFile = (cfg) => path.join(cfg.dataDir, 'producer-token');
export const credentialsFile = (cfg) => path.join(cfg.dataDir, 'collector-producers.yaml');

/** A random secret kept in file under the data dir: made on first use, the same ever after. */
function secretOf(cfg, file) {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cfg.dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export function producerToken(cfg) {
  return secretOf(cfg, producerTokenFile(cfg));
}

/**
 * The gateway's service credential (user attest-service): made once per data dir. The backend, the
 * counts datasource and the Collector hold it in server-level settings; it is the one credential that
 * names its tenant in X-Scope-OrgID. The tests and benches use it as the operator would.
 */
export const GATEWAY_SERVICE_USER = 'attest-service';
export const gatewayPasswordFile = (cfg) => path.join(cfg.dataDir, 'gateway-password');

export function gatewayPassword(cfg = stackConfig()) {
  return secretOf(cfg, gatewayPasswordFile(cfg));
}

/** Authorization header value of the gateway's service credential. */
export const lokiAuthorization = (cfg = stackConfig()) =>
  `Basic ${Buffer.from(`${GATEWAY_SERVICE_USER}:${gatewayPassword(cfg)}`).toString('base64')}`;

/** Headers that read or write a tenant of the stack's Loki through its gateway, as the operator. */
export const lokiHeaders = (tenant, cfg = stackConfig()) => ({
  Authorization: lokiAuthorization(cfg),
  'X-Scope-OrgID': tenant,
});

/** The gateway's htpasswd: the service credential, plus tenant credentials a test adds. */
export const gatewayHtpasswd = (cfg) => path.join(cfg.dataDir, 'gateway', 'htpasswd');

/** A crypt(3) SHA-512 hash of password, as nginx's auth_basic_user_file takes it. */
export function htpasswdHash(password) {
  const r = spawnSync('openssl', ['passwd', '-6', '-stdin'], { input: password, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`openssl passwd failed: ${r.stderr}`);
  }
  return r.stdout.trim();
}

/** Adds (or replaces) a credential of the gateway; nginx reads the file on every request. */
export function addGatewayUser(cfg, user, password) {
  const file = gatewayHtpasswd(cfg);
  const lines = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith(`${user}:`))
    : [];
  lines.push(`${user}:${htpasswdHash(password)}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o644 });
}

/** The gateway's nginx.conf: the shared rules of provisioning/gateway, filled in for this stack. */
function gatewayConfig(cfg) {
  const dir = path.join(cfg.dataDir, 'gateway');
  for (const sub of ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  if (
    !fs.existsSync(gatewayHtpasswd(cfg)) ||
    !fs.readFileSync(gatewayHtpasswd(cfg), 'utf8').includes(`${GATEWAY_SERVICE_USER}:`)
  ) {
    addGatewayUser(cfg, GATEWAY_SERVICE_USER, gatewayPassword(cfg));
  }
  const vars = {
    LOKI_GATEWAY_LISTEN: `127.0.0.1:${cfg.lokiPort}`,
    LOKI_UPSTREAM: `unix:${cfg.lokiSocket}:0`,
    LOKI_GATEWAY_HTPASSWD: gatewayHtpasswd(cfg),
  };
  const template = fs.readFileSync(path.join(repoRoot, 'provisioning/gateway/loki-gateway.conf.template'), 'utf8');
  fs.writeFileSync(
    path.join(dir, 'loki-gateway.conf'),
    template.replace(/\$\{(LOKI_[A-Z_]+)\}/g, (m, name) => vars[name] ?? m)
  );
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `# Written by scripts/stack/lib.mjs on every start.
daemon off;
${process.getuid?.() === 0 ? 'user root root;\n' : ''}worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(cfg.logDir, 'gateway-error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${path.join(dir, 'tmp/body')};
  proxy_temp_path ${path.join(dir, 'tmp/proxy')};
  fastcgi_temp_path ${path.join(dir, 'tmp/fastcgi')};
  uwsgi_temp_path ${path.join(dir, 'tmp/uwsgi')};
  scgi_temp_path ${path.join(dir, 'tmp/scgi')};
  include ${path.join(dir, 'loki-gateway.conf')};
}
`
  );
  return { dir, conf };
}

/** GET path on Loki's own unix socket (readiness, before the gateway is up). */
function socketOk(socketPath, urlPath) {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: urlPath, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** The per-subject key directory producers and the backend share (GDPR erasure by crypto-shredding). */
export const subjectKeysDir = (cfg) => path.join(cfg.dataDir, 'subject-keys');

export const sha256Hex = (s) => createHash('sha256').update(s).digest('hex');

/** The backend's own producer credential: the only one that may write records of attest-grafana-app. */
export const backendTokenFile = (cfg) => path.join(cfg.dataDir, 'backend-token');

export function backendToken(cfg) {
  return secretOf(cfg, backendTokenFile(cfg));
}

/**
 * The Collector's credentials file: the stack's producer credential (tests, demo, benches) and the
 * backend's, bound to its service. Kept when it has both (a test may add producers to it).
 */
function ensureCredentials(cfg) {
  const file = credentialsFile(cfg);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (!current.includes('name: attest-stack') || !current.includes('name: attest-backend')) {
    const stack = sha256Hex(producerToken(cfg));
    const backend = sha256Hex(backendToken(cfg));
    const others = current
      .split('\n  - name: ')
      .slice(1)
      .filter((p) => !/^attest-(stack|backend)\n/.test(p));
    fs.writeFileSync(
      file,
      `producers:\n  - name: attest-stack\n    tenant: '*'\n    token_sha256: ${stack}\n` +
        `  - name: attest-backend\n    tenant: '*'\n    token_sha256: ${backend}\n    services: [attest-grafana-app]\n` +
        others
          .map((p) => `  - name: ${p}`)
          .join('\n')
          .replace(/\n?$/, others.length ? '\n' : ''),
      { mode: 0o600 }
    );
  }
  return file;
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS for OpenTelemetry SDKs (the package, Python) sending to the stack's
 * Collector with its credential; undefined before the stack first started.
 */
export function otlpHeadersEnv(cfg = stackConfig()) {
  const file = producerTokenFile(cfg);
  return fs.existsSync(file) ? `Authorization=Bearer%20${fs.readFileSync(file, 'utf8').trim()}` : undefined;
}

/** The stack's S3-compatible server: one bucket, a directory under its root (posix backend). */
export const S3 = {
  bucket: 'attest-archive',
  digestBucket: 'attest-digests',
  accessKey: 'attest-test',
  secretKey: 'attest-test-secret',
};
export const s3Root = (cfg) => path.join(cfg.dataDir, 's3', 'data');

/**
 * Grafana in high availability, as the HA check runs it: two Grafana servers (grafana-a, grafana-b) on
 * their own ports sharing one PostgreSQL (Grafana's database and the app's state), the keys directory
 * and the files bucket, serving org 1 as a tenant of their own. Not part of SERVICES: the check starts them.
 */
export const HA = {
  tenant: 'ha-check',
  filesBucket: 'attest-files',
  pgUser: 'attest',
  servers: { 'grafana-a': 3011, 'grafana-b': 3012 },
};
export const haKeysDir = (cfg) => path.join(cfg.dataDir, 'ha', 'keys');
export const haServerUrl = (name) => `http://127.0.0.1:${HA.servers[name]}`;
export const pgPassword = (cfg) => secretOf(cfg, path.join(cfg.dataDir, 'postgres-password'));
export const databaseUrl = (cfg, db) =>
  `postgres://${HA.pgUser}:${pgPassword(cfg)}@127.0.0.1:${cfg.pgPort}/${db}?sslmode=disable`;

/** Debian's PostgreSQL server programs (the newest installed major version). */
function postgresBin(name) {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], 'bin', name) : name;
}

/** PostgreSQL refuses to run as root: as root, it runs as Debian's postgres user in a directory of its own. */
function postgresAccount() {
  if (process.getuid?.() !== 0) {
    return {};
  }
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function postgresDir(cfg) {
  return process.getuid?.() === 0
    ? path.join(os.tmpdir(), `attest-pg-${createHash('sha256').update(cfg.dataDir).digest('hex').slice(0, 12)}`)
    : path.join(cfg.dataDir, 'postgres');
}

/**
 * Makes the PostgreSQL cluster on first start (password auth for the attest role). As root the cluster
 * lives outside the data directory, so it can outlive it: a cluster made for another data directory
 * (its role's password is not this one's) is made again.
 */
function initPostgres(cfg) {
  const dir = postgresDir(cfg);
  const account = postgresAccount();
  const owner = path.join(dir, 'owner');
  const ownerId = createHash('sha256').update(pgPassword(cfg)).digest('hex');
  if (fs.existsSync(path.join(dir, 'data', 'PG_VERSION'))) {
    if (fs.existsSync(owner) && fs.readFileSync(owner, 'utf8').trim() === ownerId) {
      return dir;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, `${pgPassword(cfg)}\n`, { mode: 0o600 });
  if (account.uid !== undefined) {
    fs.chownSync(dir, account.uid, account.gid);
    fs.chownSync(pwfile, account.uid, account.gid);
  }
  const r = spawnSync(
    postgresBin('initdb'),
    [
      '-D',
      path.join(dir, 'data'),
      '-U',
      HA.pgUser,
      `--pwfile=${pwfile}`,
      '-A',
      'scram-sha-256',
      '-E',
      'UTF8',
      '--no-sync',
    ],
    { ...account, cwd: dir, encoding: 'utf8' }
  );
  fs.rmSync(pwfile, { force: true });
  if (r.status !== 0) {
    throw new Error(`initdb failed: ${r.stderr || r.error}`);
  }
  fs.writeFileSync(owner, `${ownerId}\n`);
  return dir;
}

/** Creates the databases the HA servers use (Grafana's own and the app's), once. */
function ensureDatabases(cfg) {
  const env = { ...process.env, PGPASSWORD: pgPassword(cfg) };
  const conn = ['-h', '127.0.0.1', '-p', String(cfg.pgPort), '-U', HA.pgUser, '-d', 'postgres', '-tAc'];
  for (const db of ['grafana', 'attest']) {
    const found = spawnSync('psql', [...conn, `SELECT 1 FROM pg_database WHERE datname = '${db}'`], {
      env,
      encoding: 'utf8',
    });
    if (found.status !== 0) {
      throw new Error(`psql failed: ${found.stderr}`);
    }
    if (found.stdout.trim() !== '1') {
      const made = spawnSync('psql', [...conn, `CREATE DATABASE ${db}`], { env, encoding: 'utf8' });
      if (made.status !== 0) {
        throw new Error(`creating database ${db} failed: ${made.stderr}`);
      }
    }
  }
}

/** A Loki runtime overrides file in the data dir, made empty on first use (Loki needs each to exist). */
function runtimeOverrides(cfg, name) {
  const file = path.join(cfg.dataDir, name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(cfg.dataDir, { recursive: true });
    fs.writeFileSync(file, 'overrides: {}\n');
  }
  return file;
}

/** The runtime overrides file the backend writes retention windows to. */
export const retentionOverrides = (cfg) => runtimeOverrides(cfg, 'loki-retention.yaml');

/**
 * The operator's own per-tenant Loki limits (runtime config, reloaded every 10 s), between the shipped
 * overrides and the app's retention windows: where an operator raises a tenant's limit, e.g. so the
 * Collector's dead-letter queue can replay what Loki refused.
 */
export const operatorOverrides = (cfg) => runtimeOverrides(cfg, 'loki-operator-overrides.yaml');

function serviceSpec(name, cfg, bins) {
  switch (name) {
    case 'loki':
      return {
        bin: bins.loki,
        args: ['-config.file', path.join(repoRoot, 'provisioning/loki/loki.yaml'), '-config.expand-env=true'],
        env: {
          // Loki's HTTP API on a unix socket ("<socket>:0"): only the gateway reaches it.
          LOKI_HTTP_NETWORK: 'unix',
          LOKI_HTTP_ADDRESS: cfg.lokiSocket,
          LOKI_PORT: '0',
          LOKI_GRPC_PORT: String(cfg.lokiGrpcPort),
          LOKI_DATA_DIR: path.join(cfg.dataDir, 'loki'),
          LOKI_RUNTIME_CONFIG: [
            path.join(repoRoot, 'provisioning/loki/overrides.yaml'),
            operatorOverrides(cfg),
            retentionOverrides(cfg),
          ].join(','),
          // Short, so the tests see the compactor apply retention (the product keeps Loki's defaults).
          LOKI_COMPACTION_INTERVAL: '20s',
          LOKI_RETENTION_DELETE_DELAY: '10s',
          LOKI_INDEX_RESYNC_INTERVAL: '20s',
          LOKI_INDEX_CACHE_VALIDITY: '20s',
        },
        port: cfg.lokiGrpcPort,
        before: () => fs.rmSync(`${cfg.lokiSocket}:0`, { force: true }),
        ready: () => socketOk(`${cfg.lokiSocket}:0`, '/ready'),
      };
    case 'gateway': {
      const { dir, conf } = gatewayConfig(cfg);
      return {
        bin: bins.nginx,
        args: ['-p', dir, '-c', conf],
        env: {},
        port: cfg.lokiPort,
        ready: () => httpOk(`${cfg.lokiUrl}/ready`),
      };
    }
    case 'collector':
      return {
        bin: bins.otelcol,
        args: [`--config=${path.join(repoRoot, 'provisioning/collector/config.yaml')}`],
        env: {
          ATTEST_OTLP_HTTP_ENDPOINT: `127.0.0.1:${cfg.otlpPort}`,
          ATTEST_COLLECTOR_STORAGE_DIR: path.join(cfg.dataDir, 'collector'),
          // What Loki refuses for good waits here to be replayed (collector/attestloki).
          ATTEST_COLLECTOR_DEAD_LETTER_DIR: path.join(cfg.dataDir, 'collector-dead-letter'),
          // Short here, so the tests see a replay (1m unless set).
          ATTEST_COLLECTOR_DEAD_LETTER_REPLAY: process.env.ATTEST_COLLECTOR_DEAD_LETTER_REPLAY ?? '5s',
          ATTEST_COLLECTOR_CREDENTIALS: ensureCredentials(cfg),
          // Fewer garbage collections for a Collector that allocates per event (memory_limiter still caps it).
          GOGC: '200',
          ATTEST_COLLECTOR_METRICS_PORT: String(cfg.collectorMetricsPort),
          LOKI_ENDPOINT: cfg.lokiUrl,
          // The gateway's service credential: the Collector names each record's tenant.
          ATTEST_LOKI_AUTHORIZATION: lokiAuthorization(cfg),
        },
        port: cfg.otlpPort,
        ready: async () =>
          (await httpOk(`http://127.0.0.1:${cfg.collectorMetricsPort}/metrics`)) && (await tcpOpen(cfg.otlpPort)),
      };
    case 'grafana': {
      if (!bins.grafana) {
        return null;
      }
      const dist = path.join(repoRoot, 'dist');
      if (
        !fs.existsSync(path.join(dist, 'plugin.json')) ||
        !fs.existsSync(path.join(dist, 'gpx_auditlog_linux_amd64')) ||
        !fs.existsSync(path.join(dist, 'datasource', 'gpx_auditcounts_linux_amd64'))
      ) {
        throw new Error(
          'the plugin is not built (dist/plugin.json or its backend is missing): run `npm run build` first'
        );
      }
      const g = path.join(cfg.dataDir, 'grafana');
      const pluginsDir = path.join(g, 'plugins');
      fs.mkdirSync(pluginsDir, { recursive: true });
      const link = path.join(pluginsDir, 'attest-auditlog-app');
      fs.rmSync(link, { force: true, recursive: true });
      fs.symlinkSync(dist, link);
      const ini = path.join(g, 'grafana.ini');
      fs.writeFileSync(ini, grafanaIni(cfg));
      return {
        bin: bins.grafana,
        args: ['server', '--homepath', bins.grafanaHome, '--config', ini],
        env: {
          ATTEST_TENANT: cfg.defaultTenant,
          ATTEST_COLLECTOR_URL: cfg.otlpUrl,
        },
        port: cfg.grafanaPort,
        ready: async () =>
          (await httpOk(`${cfg.grafanaUrl}/api/health`)) &&
          (await httpOk(`${cfg.grafanaUrl}/api/plugins/attest-auditlog-app/settings`, GRAFANA_ADMIN)),
        afterReady: async () => {
          await configureAppToken(cfg, 1);
          await importAppDashboards(cfg, 1);
        },
      };
    }
    case 's3': {
      fs.mkdirSync(path.join(s3Root(cfg), S3.bucket), { recursive: true });
      fs.mkdirSync(path.join(cfg.dataDir, 's3', 'meta'), { recursive: true });
      return {
        bin: bins.versitygw,
        args: [
          '--access',
          S3.accessKey,
          '--secret',
          S3.secretKey,
          '--port',
          `127.0.0.1:${cfg.s3Port}`,
          'posix',
          '--sidecar',
          path.join(cfg.dataDir, 's3', 'meta'),
          s3Root(cfg),
        ],
        env: {},
        port: cfg.s3Port,
        ready: () => tcpOpen(cfg.s3Port),
      };
    }
    case 'postgres': {
      const dir = initPostgres(cfg);
      return {
        bin: postgresBin('postgres'),
        args: ['-D', path.join(dir, 'data'), '-p', String(cfg.pgPort), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
        env: {},
        spawn: postgresAccount(),
        port: cfg.pgPort,
        ready: () =>
          spawnSync(postgresBin('pg_isready'), ['-h', '127.0.0.1', '-p', String(cfg.pgPort)], { stdio: 'ignore' })
            .status === 0,
        afterReady: async () => ensureDatabases(cfg),
      };
    }
    case 'grafana-a':
    case 'grafana-b': {
      if (!bins.grafana) {
        return null;
      }
      const dir = path.join(cfg.dataDir, 'ha', name);
      const port = HA.servers[name];
      fs.mkdirSync(path.join(dir, 'plugins'), { recursive: true });
      const link = path.join(dir, 'plugins', 'attest-auditlog-app');
      fs.rmSync(link, { force: true, recursive: true });
      fs.symlinkSync(path.join(repoRoot, 'dist'), link);
      const ini = path.join(dir, 'grafana.ini');
      fs.writeFileSync(ini, grafanaIni(cfg, { dir, port, verifyAt: process.env.ATTEST_HA_VERIFY_AT ?? '02:30' }));
      const url = haServerUrl(name);
      return {
        bin: bins.grafana,
        args: ['server', '--homepath', bins.grafanaHome, '--config', ini],
        env: {},
        port,
        ready: async () =>
          (await httpOk(`${url}/api/health`)) &&
          (await httpOk(`${url}/api/plugins/attest-auditlog-app/settings`, GRAFANA_ADMIN)),
      };
    }
    default:
      throw new Error(`unknown service ${name}`);
  }
}

async function httpOk(url, basicAuth) {
  try {
    const headers = basicAuth
      ? { Authorization: `Basic ${Buffer.from(`${basicAuth.user}:${basicAuth.password}`).toString('base64')}` }
      : {};
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
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
    if (await tcpOpen(spec.port)) {
      throw new Error(`${name} cannot start: port ${spec.port} on 127.0.0.1 is already in use by another process`);
    }
    spec.before?.();
    const out = fs.openSync(path.join(cfg.logDir, `${name}.log`), 'a');
    const child = spawn(spec.bin, spec.args, {
      cwd: repoRoot,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', out, out],
      detached: true,
      ...spec.spawn,
    });
    child.unref();
    fs.closeSync(out);
    fs.writeFileSync(pidFile(cfg, name), `${child.pid}\n`);
    let exited = null;
    child.once('exit', (code) => (exited = code));
    try {
      await waitFor(
        async () => {
          if (exited !== null) {
            throw new Error(`${name} exited with code ${exited}; see ${path.join(cfg.logDir, `${name}.log`)}`);
          }
          return spec.ready();
        },
        { timeoutMillis, what: `${name} to become ready (see ${path.join(cfg.logDir, `${name}.log`)})` }
      );
      await spec.afterReady?.();
    } catch (err) {
      await stopService(name, { cfg });
      throw err;
    }
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

/** Calls Grafana's API as the stack's admin in an org. */
export async function grafanaApi(cfg, method, apiPath, { org = 1, body } = {}) {
  const res = await fetch(`${cfg.grafanaUrl}${apiPath}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from(`${GRAFANA_ADMIN.user}:${GRAFANA_ADMIN.password}`).toString('base64')}`,
      'X-Grafana-Org-Id': String(org),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`Grafana ${method} ${apiPath} answered ${res.status}: ${text}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/**
 * Gives the app of an org the Grafana service account token it manages alert rules with (what an admin
 * does once on the configuration page): a service account "attest-app" (Admin) with one fresh token.
 * App provisioning resets secureJsonData on every Grafana start, so this runs after each start.
 */
export async function configureAppToken(cfg, org) {
  const settingsPath = '/api/plugins/attest-auditlog-app/settings';
  const current = await grafanaApi(cfg, 'GET', settingsPath, { org });
  if (current.secureJsonFields?.grafanaToken) {
    return;
  }
  // Grafana 10.0 derives a service account's login from its name alone, unique across orgs.
  const name = org === 1 ? 'attest-app' : `attest-app-org-${org}`;
  const found = await grafanaApi(cfg, 'GET', `/api/serviceaccounts/search?query=${name}`, { org });
  let sa = found.serviceAccounts?.find((a) => a.name === name);
  if (!sa) {
    sa = await grafanaApi(cfg, 'POST', '/api/serviceaccounts', { org, body: { name, role: 'Admin' } });
  }
  for (const old of await grafanaApi(cfg, 'GET', `/api/serviceaccounts/${sa.id}/tokens`, { org })) {
    await grafanaApi(cfg, 'DELETE', `/api/serviceaccounts/${sa.id}/tokens/${old.id}`, { org });
  }
  const token = await grafanaApi(cfg, 'POST', `/api/serviceaccounts/${sa.id}/tokens`, {
    org,
    body: { name: `attest-app-${Date.now()}` },
  });
  // Right after Grafana starts, a secureJsonData value can be stored yet not answered back (nor handed
  // to the backend): written again until the settings say it is there.
  for (let attempt = 1; ; attempt++) {
    await grafanaApi(cfg, 'POST', settingsPath, {
      org,
      body: {
        enabled: current.enabled,
        pinned: current.pinned,
        jsonData: current.jsonData ?? {},
        secureJsonData: { grafanaToken: token.key },
      },
    });
    await new Promise((r) => setTimeout(r, 500 * attempt));
    if ((await grafanaApi(cfg, 'GET', settingsPath, { org })).secureJsonFields?.grafanaToken) {
      break;
    }
    if (attempt === 10) {
      throw new Error(`org ${org}: Grafana does not keep the app's service account token; alerting is not configured`);
    }
  }
  log(`org ${org}: service account attest-app token set on the app (alert rules)`);
}

/** Imports (or updates) the dashboards bundled with the app, as its Dashboards tab does. */
export async function importAppDashboards(cfg, org) {
  const bundled = await grafanaApi(cfg, 'GET', '/api/plugins/attest-auditlog-app/dashboards', { org });
  for (const d of bundled) {
    if (!d.imported || d.importedRevision !== d.revision) {
      await grafanaApi(cfg, 'POST', '/api/dashboards/import', {
        org,
        body: { pluginId: 'attest-auditlog-app', path: d.path, overwrite: true, inputs: [] },
      });
    }
  }
}

export const SERVICES = ['loki', 'gateway', 's3', 'collector', 'grafana'];
/** The HA check's servers (started by it, stopped with the stack). */
export const HA_SERVICES = ['postgres', 'grafana-a', 'grafana-b'];

/** Starts `only` in order; if one fails, stops the ones this call started, so nothing is left half-up. */
export async function startStack({ cfg = stackConfig(), only = SERVICES } = {}) {
  const bins = buildBinaries();
  const started = {};
  const ours = [];
  try {
    for (const name of only) {
      const wasRunning = isRunning(name, cfg);
      started[name] = await startService(name, { cfg, bins });
      if (!wasRunning) {
        ours.push(name);
      }
    }
  } catch (err) {
    for (const name of ours.reverse()) {
      await stopService(name, { cfg });
    }
    throw err;
  }
  return started;
}

export async function stopStack({ cfg = stackConfig(), only = [...SERVICES, ...HA_SERVICES].reverse() } = {}) {
  for (const name of only) {
    // PostgreSQL's fast shutdown (SIGINT): SIGTERM would wait for every client to leave.
    if (await stopService(name, { cfg, signal: name === 'postgres' ? 'SIGINT' : 'SIGTERM' })) {
      log(`stopped ${name}`);
    }
  }
}
