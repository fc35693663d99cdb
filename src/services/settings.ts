// The app's settings (plugin jsonData), narrowed from untrusted input.

export interface AppJsonData {
  /** UID of the Loki datasource that holds the audit events (its X-Scope-OrgID header selects the tenant). */
  lokiDatasourceUid?: string;
  /** Optional UID of a tracing datasource (Tempo, Jaeger, Zipkin): trace ids become links to Explore. */
  tracesDatasourceUid?: string;
}

export function narrowAppJsonData(o: unknown): AppJsonData {
  if (typeof o !== 'object' || o === null) {
    return {};
  }
  const r = o as Record<string, unknown>;
  const uid = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  return { lokiDatasourceUid: uid(r.lokiDatasourceUid), tracesDatasourceUid: uid(r.tracesDatasourceUid) };
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
