// The thin, mockable I/O boundary of the query layer: GET a Loki HTTP API path with query parameters.
// In Grafana it goes through the configured Loki datasource (grafanaTransport.ts); in Node (integration
// tests, bench) straight to Loki (createFetchTransport).

export type LokiApiPath = 'query_range' | 'query';

export interface LokiTransport {
  get(path: LokiApiPath, params: Record<string, string>, signal?: AbortSignal): Promise<unknown>;
}

export class LokiHttpError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'LokiHttpError';
  }
}

export interface FetchTransportOptions {
  /** e.g. http://127.0.0.1:3100 */
  baseUrl: string;
  /** Sent as X-Scope-OrgID when set. */
  tenant?: string;
  fetchImpl?: typeof fetch;
}

/** Encoding flag that returns structured metadata separately from the stream labels. */
export const ENCODING_FLAGS_HEADER = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' };

export function lokiApiUrl(baseUrl: string, path: LokiApiPath, params: Record<string, string>): string {
  return `${baseUrl.replace(/\/+$/, '')}/loki/api/v1/${path}?${new URLSearchParams(params).toString()}`;
}

export function createFetchTransport({ baseUrl, tenant, fetchImpl = fetch }: FetchTransportOptions): LokiTransport {
  return {
    async get(path, params, signal) {
      const headers: Record<string, string> = { ...ENCODING_FLAGS_HEADER };
      if (tenant) {
        headers['X-Scope-OrgID'] = tenant;
      }
      const res = await fetchImpl(lokiApiUrl(baseUrl, path, params), { headers, signal });
      const text = await res.text();
      if (!res.ok) {
        throw new LokiHttpError(res.status, `Loki ${path} failed: HTTP ${res.status} ${text.slice(0, 500)}`);
      }
      return JSON.parse(text);
    },
  };
}
