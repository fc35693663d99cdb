// OTLP/HTTP JSON encoding and delivery of generated audit events (raw OTLP, no SDK), for the
// demo, the ingest bench and the end-to-end tests.

const attr = (key, value) => ({ key, value: { stringValue: String(value) } });

/** Groups events by service into one OTLP ExportLogsServiceRequest (JSON form). */
export function toOtlpJson(events, { scope = 'attest-demo' } = {}) {
  const byService = new Map();
  for (const e of events) {
    const key = `${e.service.name}\u0000${e.service.environment}`;
    if (!byService.has(key)) {
      byService.set(key, { service: e.service, records: [] });
    }
    byService.get(key).records.push({
      timeUnixNano: e.timeUnixNano.toString(),
      observedTimeUnixNano: e.timeUnixNano.toString(),
      severityNumber: e.severityNumber,
      severityText: e.severityText,
      eventName: e.eventName,
      body: { stringValue: e.body },
      attributes: Object.entries(e.attributes).map(([k, v]) => attr(k, v)),
    });
  }
  return {
    resourceLogs: [...byService.values()].map(({ service, records }) => ({
      resource: {
        attributes: [attr('service.name', service.name), attr('deployment.environment.name', service.environment)],
      },
      scopeLogs: [{ scope: { name: scope }, logRecords: records }],
    })),
  };
}

/**
 * POSTs events as one OTLP request to `endpoint` (e.g. http://127.0.0.1:4318/v1/logs for the Collector,
 * http://127.0.0.1:3100/otlp/v1/logs for Loki) as `tenant`. Retries network errors, 429 and 5xx with
 * backoff until `deadlineMillis` passes; any other status throws.
 */
/**
 * The headers OTEL_EXPORTER_OTLP_HEADERS names (`k=v,k2=v2`, values URL-encoded), as OpenTelemetry SDKs
 * read them: the producer credential the Collector asks for (`Authorization=Bearer%20<token>`).
 */
export function otlpEnvHeaders(env = process.env) {
  const out = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    }
  }
  return out;
}

export async function pushOtlp({
  endpoint,
  tenant,
  events,
  deadlineMillis = 120_000,
  scope,
  headers = otlpEnvHeaders(),
}) {
  const body = JSON.stringify(toOtlpJson(events, { scope }));
  const giveUpAt = Date.now() + deadlineMillis;
  let delay = 100;
  for (;;) {
    let status;
    let detail;
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'X-Scope-OrgID': tenant },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      detail = await res.text();
      if (res.ok) {
        return;
      }
      if (status !== 429 && status < 500) {
        throw new Error(`OTLP push to ${endpoint} rejected: HTTP ${status} ${detail.slice(0, 300)}`);
      }
    } catch (err) {
      if (status !== undefined && status !== 429 && status < 500) {
        throw err;
      }
      detail = err.message;
    }
    if (Date.now() > giveUpAt) {
      throw new Error(`OTLP push to ${endpoint} failed until the deadline: ${status ?? ''} ${detail}`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

/** Queries Loki as `tenant`, returning the raw JSON. */
export async function lokiQueryRange({
  lokiUrl,
  tenant,
  query,
  startNanos,
  endNanos,
  limit = 5000,
  direction = 'backward',
  // The Loki gateway's credential (scripts/stack/lib.mjs lokiAuthorization).
  authorization = process.env.ATTEST_LOKI_AUTHORIZATION,
}) {
  const params = new URLSearchParams({ query, limit: String(limit), direction });
  if (startNanos !== undefined) {
    params.set('start', String(startNanos));
  }
  if (endNanos !== undefined) {
    params.set('end', String(endNanos));
  }
  const res = await fetch(`${lokiUrl}/loki/api/v1/query_range?${params}`, {
    headers: {
      ...(authorization ? { Authorization: authorization } : {}),
      'X-Scope-OrgID': tenant,
      'X-Loki-Response-Encoding-Flags': 'categorize-labels',
    },
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`Loki query failed: HTTP ${res.status} ${text.slice(0, 300)} for ${query}`);
  }
  return JSON.parse(text);
}
