// Helpers for tests against the real Grafana server of the native stack: its HTTP API as the admin or
// as users of each org role, a second org, service-account tokens, and the plugin's resource routes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { GRAFANA_ADMIN, lokiHeaders, otlpHeadersEnv, stackConfig } from '../../scripts/stack/lib.mjs';

export const cfg = stackConfig();
// The stack's producer credential, for OpenTelemetry SDKs and OTLP posts (the Collector asks for one).
process.env.OTEL_EXPORTER_OTLP_HEADERS ??= otlpHeadersEnv(cfg);
export const PLUGIN_ID = 'attest-auditlog-app';
export const RESOURCES = `/api/plugins/${PLUGIN_ID}/resources`;

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Calls the Grafana API. `as`: { user, password } or { token } or null (anonymous); `org`: X-Grafana-Org-Id.
 * Returns { status, body } with body parsed as JSON when it is JSON.
 */
export async function grafana(method, path, { as = GRAFANA_ADMIN, org, body, headers = {} } = {}) {
  const h = { ...headers };
  if (as?.token) {
    h.Authorization = `Bearer ${as.token}`;
  } else if (as?.cookie) {
    h.Cookie = as.cookie;
  } else if (as) {
    h.Authorization = basic(as.user, as.password);
  }
  if (org) {
    h['X-Grafana-Org-Id'] = String(org);
  }
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
  }
  const res = await fetch(`${cfg.grafanaUrl}${path}`, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

async function ok(method, path, opts) {
  const r = await grafana(method, path, opts);
  if (r.status >= 300) {
    throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  return r.body;
}

/** Signs in as a browser does and returns `{ cookie }` (Grafana's session), for `as`. */
export async function login({ user, password }) {
  const res = await fetch(`${cfg.grafanaUrl}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('grafana_session='));
  if (!res.ok || !cookie) {
    throw new Error(`login as ${user}: HTTP ${res.status}`);
  }
  return { cookie };
}

const run = Date.now().toString(36);

/** A user with `role` in org 1 (and in `extraOrgs` with the same role), created once per test run. */
export async function createUser(role, { prefix = role.toLowerCase(), orgs = [1] } = {}) {
  const login = `${prefix}-${run}-${Math.random().toString(36).slice(2, 6)}`;
  const password = `pw-${login}`;
  const { id } = await ok('POST', '/api/admin/users', {
    body: { name: `${role} ${login}`, email: `${login}@example.test`, login, password, OrgId: orgs[0] },
  });
  for (const [i, org] of orgs.entries()) {
    if (i > 0) {
      await ok('POST', `/api/orgs/${org}/users`, { body: { loginOrEmail: login, role } });
    } else {
      await ok('PATCH', `/api/orgs/${org}/users/${id}`, { body: { role } });
    }
  }
  return { id, user: login, password, email: `${login}@example.test`, role };
}

/** One user of each org role in org 1. */
export async function usersOfEachRole() {
  return {
    Viewer: await createUser('Viewer'),
    Editor: await createUser('Editor'),
    Admin: await createUser('Admin'),
  };
}

/** An org other than 1 (created on first use), with the app enabled in it. Returns its id. */
export async function ensureSecondOrg(name = 'Attest second org') {
  const existing = await grafana('GET', `/api/orgs/name/${encodeURIComponent(name)}`);
  const orgId = existing.status === 200 ? existing.body.id : (await ok('POST', '/api/orgs', { body: { name } })).orgId;
  // The admin who created the org is its Admin; make sure for an org created earlier too.
  await grafana('POST', `/api/orgs/${orgId}/users`, { body: { loginOrEmail: GRAFANA_ADMIN.user, role: 'Admin' } });
  await ok('POST', `/api/plugins/${PLUGIN_ID}/settings`, {
    org: orgId,
    body: { enabled: true, pinned: true, jsonData: { readRole: 'Admin' } },
  });
  return orgId;
}

/** A service account with `role` in `org` and a token for it. */
export async function serviceAccountToken(role, org = 1) {
  const name = `sa-${role.toLowerCase()}-${run}-${Math.random().toString(36).slice(2, 6)}`;
  const sa = await ok('POST', '/api/serviceaccounts', { org, body: { name, role } });
  const tok = await ok('POST', `/api/serviceaccounts/${sa.id}/tokens`, { org, body: { name: `${name}-token` } });
  return { token: tok.key, name, id: sa.id };
}

/** GET a plugin resource route with query parameters. */
export function resource(path, params = {}, opts = {}) {
  const qs = new URLSearchParams(params).toString();
  return grafana('GET', `${RESOURCES}/${path}${qs ? `?${qs}` : ''}`, opts);
}

/** The last `minutes` as a [from, to) range in ns, on whole milliseconds. */
export function lastMinutes(minutes) {
  const to = BigInt(Date.now() + 60_000) * 1_000_000n;
  return { from: (to - BigInt(minutes * 60_000) * 1_000_000n).toString(), to: to.toString() };
}

/** Every entry Loki holds for `query` in tenant over the range (backward, paged by time). */
export async function lokiEntries(tenant, query, { from, to }) {
  const out = [];
  const seen = new Set();
  let end = BigInt(to);
  for (;;) {
    const qs = new URLSearchParams({ query, start: from, end: end.toString(), limit: '5000', direction: 'backward' });
    const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/query_range?${qs}`, {
      headers: { ...lokiHeaders(tenant), 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) {
      throw new Error(`Loki ${res.status} ${await res.text()}`);
    }
    const body = await res.json();
    let n = 0;
    let last = end;
    for (const s of body.data.result) {
      for (const [ts, line, extra] of s.values) {
        n++;
        const labels = { ...s.stream, ...(extra?.structuredMetadata ?? {}) };
        const key = `${ts}|${labels.audit_id}|${line}`;
        if (BigInt(ts) < last) {
          last = BigInt(ts);
        }
        if (!seen.has(key)) {
          seen.add(key);
          out.push({ ts, line, labels });
        }
      }
    }
    if (n < 5000) {
      return out;
    }
    end = last + 1n;
  }
}

/** Polls `check()` until it returns a truthy value or the timeout passes; returns the last value. */
export async function eventually(check, { timeoutMillis = 60_000, intervalMillis = 500 } = {}) {
  const deadline = Date.now() + timeoutMillis;
  let v = await check();
  while (!v && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMillis));
    v = await check();
  }
  return v;
}

/**
 * Writes entries of one stream straight into the store through its gateway, as a producer's burst
 * lands: values are [ts, line, structured metadata]. Index labels: the service, environment test,
 * category SYSTEM, severity INFO.
 */
export async function pushStream(tenant, service, values) {
  const res = await fetch(`${cfg.lokiUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...lokiHeaders(tenant) },
    body: JSON.stringify({
      streams: [
        {
          stream: {
            service_name: service,
            deployment_environment_name: 'test',
            audit_category: 'SYSTEM',
            severity_text: 'INFO',
          },
          values,
        },
      ],
    }),
  });
  if (!res.ok) {
    throw new Error(`push: ${res.status} ${await res.text()}`);
  }
}

/** The tenant the stack maps an org to (GF_PLUGIN_TENANTS). */
export function tenantOf(org) {
  return cfg.tenants
    .split(',')
    .find((p) => p.startsWith(`${org}=`))
    ?.split('=')[1];
}

/** A resource route's raw bytes, as the admin in `org` (text would mangle a ZIP). */
export async function downloadBytes(p, { org } = {}) {
  const res = await fetch(`${cfg.grafanaUrl}${RESOURCES}/${p}`, {
    headers: {
      Authorization: basic(GRAFANA_ADMIN.user, GRAFANA_ADMIN.password),
      ...(org ? { 'X-Grafana-Org-Id': String(org) } : {}),
    },
  });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A ZIP unzipped into a new directory (Python's zipfile: on every machine the stack runs on). */
export function unzip(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-zip-'));
  fs.writeFileSync(path.join(dir, 'pack.zip'), bytes);
  execFileSync('python3', ['-m', 'zipfile', '-e', path.join(dir, 'pack.zip'), path.join(dir, 'x')]);
  return path.join(dir, 'x');
}

/** A webhook receiver on 127.0.0.1 for contact points: every JSON body it gets, in order. */
export async function webhookReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      try {
        received.push({ at: Date.now(), body: JSON.parse(data) });
      } catch {
        received.push({ at: Date.now(), body: { raw: data } });
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, received, close: () => server.close() };
}
