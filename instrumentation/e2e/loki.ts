/** Minimal Loki reader for the end-to-end tests (query_range with categorize-labels, paged forward). */
export const LOKI_URL = (process.env.ATTEST_LOKI_URL ?? 'http://127.0.0.1:3100').replace(/\/+$/, '');
export const OTLP_URL = (process.env.ATTEST_OTLP_URL ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');

/** The Loki gateway's service credential, `Basic …` (npm test passes it in ATTEST_LOKI_AUTHORIZATION). */
export const LOKI_AUTHORIZATION = process.env.ATTEST_LOKI_AUTHORIZATION ?? '';

/** user and password of that credential, for the verify CLI's --user/--password. */
export function lokiCredentialArgs(): string[] {
  if (!LOKI_AUTHORIZATION.startsWith('Basic ')) {
    return [];
  }
  const [user, ...rest] = Buffer.from(LOKI_AUTHORIZATION.slice(6), 'base64').toString('utf8').split(':');
  return ['--user', user, '--password', rest.join(':')];
}

export interface LokiEntry {
  ts: string;
  line: string;
  labels: Record<string, string>;
  metadata: Record<string, string>;
}

interface QueryResponse {
  status: string;
  data: {
    resultType: string;
    result: Array<{
      stream: Record<string, string>;
      values: Array<[string, string, { structuredMetadata?: Record<string, string> }?]>;
    }>;
  };
}

/** All entries matching `query` for `tenant` since `startNs`; also returns the raw response bodies. */
export async function queryAll(
  tenant: string,
  query: string,
  startNs: bigint
): Promise<{ entries: LokiEntry[]; raw: string }> {
  const entries: LokiEntry[] = [];
  let raw = '';
  let start = startNs;
  const end = BigInt(Date.now() + 60_000) * 1_000_000n;
  const seen = new Set<string>();
  for (let page = 0; page < 100; page++) {
    const url = new URL(`${LOKI_URL}/loki/api/v1/query_range`);
    url.searchParams.set('query', query);
    url.searchParams.set('start', start.toString());
    url.searchParams.set('end', end.toString());
    url.searchParams.set('limit', '5000');
    url.searchParams.set('direction', 'forward');
    const res = await fetch(url, {
      headers: {
        ...(LOKI_AUTHORIZATION ? { Authorization: LOKI_AUTHORIZATION } : {}),
        'X-Scope-OrgID': tenant,
        'X-Loki-Response-Encoding-Flags': 'categorize-labels',
      },
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`Loki ${res.status}: ${text}`);
    }
    raw += text;
    const body = JSON.parse(text) as QueryResponse;
    let count = 0;
    let last = start;
    for (const s of body.data.result) {
      for (const [ts, line, extra] of s.values) {
        count++;
        const key = `${ts}\u0000${line}\u0000${JSON.stringify(extra ?? {})}`;
        if (BigInt(ts) > last) {
          last = BigInt(ts);
        }
        if (seen.has(key)) {
          continue;
        }
        seen.add(key);
        entries.push({ ts, line, labels: s.stream, metadata: extra?.structuredMetadata ?? {} });
      }
    }
    if (count < 5000) {
      break;
    }
    start = last;
  }
  return { entries, raw };
}

/** Polls until `check(entries)` holds or the timeout passes; returns the last result. */
export async function waitForEntries(
  tenant: string,
  query: string,
  startNs: bigint,
  check: (entries: LokiEntry[]) => boolean,
  timeoutMillis = 90_000
): Promise<{ entries: LokiEntry[]; raw: string }> {
  const deadline = Date.now() + timeoutMillis;
  let last = await queryAll(tenant, query, startNs);
  while (!check(last.entries) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    last = await queryAll(tenant, query, startNs);
  }
  return last;
}
