// The app's settings (plugin jsonData), narrowed from untrusted input. The backend reads the same
// fields (pkg/plugin/settings.go); secrets (lokiPassword, lokiToken) live in secureJsonData only.

export const READ_ROLES = ['Viewer', 'Editor', 'Admin'] as const;
export type ReadRole = (typeof READ_ROLES)[number];

export interface AppJsonData {
  /** Loki's base URL, as the Grafana server reaches it (never the browser). */
  lokiUrl?: string;
  /** Basic-auth user for Loki behind an authenticating gateway. */
  lokiUser?: string;
  /** This organization's Loki tenant; a server-level GF_PLUGIN_TENANTS map overrides it. */
  tenant?: string;
  /** Lowest org role that may read the trail. */
  readRole?: ReadRole;
  /** Serve reads even when their audit record cannot be written (default: refuse with 503). */
  selfAuditFailOpen?: boolean;
  /** Optional UID of a tracing datasource (Tempo, Jaeger, Zipkin): trace ids become links to Explore. */
  tracesDatasourceUid?: string;
  /** How often Grafana evaluates the app's alert rules (Go duration in steps of 10s; 1m unless set). */
  alertInterval?: string;
}

/** The alert evaluation interval the backend accepts: 10s to 24h in steps of 10 s. */
export function validAlertInterval(v: string): boolean {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (!m || v === '') {
    return false;
  }
  const secs = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return secs >= 10 && secs <= 86400 && secs % 10 === 0;
}

export function narrowAppJsonData(o: unknown): AppJsonData {
  if (typeof o !== 'object' || o === null) {
    return {};
  }
  const r = o as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const role = (READ_ROLES as readonly unknown[]).includes(r.readRole) ? (r.readRole as ReadRole) : undefined;
  return {
    lokiUrl: str(r.lokiUrl),
    lokiUser: str(r.lokiUser),
    tenant: str(r.tenant),
    readRole: role,
    selfAuditFailOpen: r.selfAuditFailOpen === true ? true : undefined,
    tracesDatasourceUid: str(r.tracesDatasourceUid),
    alertInterval: str(r.alertInterval),
  };
}

/** Explore link that opens a trace in the tracing datasource. */
export function traceExploreUrl(tracesDatasourceUid: string, traceId: string): string {
  const panes = {
    trace: {
      datasource: tracesDatasourceUid,
      queries: [{ refId: 'A', datasource: { uid: tracesDatasourceUid }, queryType: 'traceql', query: traceId }],
      range: { from: 'now-1h', to: 'now' },
    },
  };
  return `/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
