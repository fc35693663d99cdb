// Shared helpers for the end-to-end tests against the real Loki and Collector.
import { generateEvents } from '../../scripts/demo/generator.mjs';
import { lokiQueryRange, pushOtlp } from '../../scripts/demo/otlp.mjs';
import { lokiHeaders, otlpHeadersEnv, stackConfig } from '../../scripts/stack/lib.mjs';

export const cfg = stackConfig();
// The stack's producer credential, for OpenTelemetry SDKs and OTLP posts (the Collector asks for one).
process.env.OTEL_EXPORTER_OTLP_HEADERS ??= otlpHeadersEnv(cfg);
export const collectorLogsEndpoint = `${cfg.otlpUrl}/v1/logs`;

export const uniqueTenant = (prefix) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

/** Generated events for the last few minutes, for `tenant`. */
export function recentEvents({ count, tenant, seed = 7 }) {
  const now = Date.now();
  return [...generateEvents({ count, startMillis: now - 60_000, endMillis: now, seed, tenant })];
}

export async function sendViaCollector(tenant, events) {
  await pushOtlp({ endpoint: collectorLogsEndpoint, tenant, events });
}

/** Map audit.id → number of copies stored in Loki for `tenant` over the last `rangeMinutes`. */
export async function countsByAuditId(tenant, rangeMinutes = 30) {
  const res = await fetch(
    `${cfg.lokiUrl}/loki/api/v1/query?${new URLSearchParams({
      query: `sum by (audit_id) (count_over_time({service_name=~".+"}[${rangeMinutes}m]))`,
    })}`,
    { headers: lokiHeaders(tenant), signal: AbortSignal.timeout(60_000) }
  );
  if (!res.ok) {
    throw new Error(`Loki query failed: HTTP ${res.status} ${await res.text()}`);
  }
  const body = await res.json();
  return new Map(body.data.result.map((s) => [s.metric.audit_id, Number(s.value[1])]));
}

/** Polls until Loki holds at least `expected` distinct audit ids for `tenant`, or the timeout passes. */
export async function waitForDistinct(tenant, expected, { timeoutMillis = 120_000 } = {}) {
  const deadline = Date.now() + timeoutMillis;
  let counts = new Map();
  while (Date.now() < deadline) {
    counts = await countsByAuditId(tenant);
    if (counts.size >= expected) {
      return counts;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return counts;
}

export { lokiQueryRange };
