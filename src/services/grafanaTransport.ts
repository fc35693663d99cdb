// LokiTransport through Grafana: the configured Loki datasource's proxy route, so Grafana adds the
// datasource's auth and custom headers (X-Scope-OrgID = the org's tenant) and the browser never talks
// to Loki directly. Only GETs of query and query_range leave this module.
import { Observable, lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

import { ENCODING_FLAGS_HEADER, LokiHttpError, type LokiTransport } from './lokiTransport';

export function createGrafanaTransport(datasourceUid: string): LokiTransport {
  const base = `/api/datasources/proxy/uid/${encodeURIComponent(datasourceUid)}/loki/api/v1`;
  return {
    async get(path, params, signal) {
      const obs = getBackendSrv().fetch<unknown>({
        url: `${base}/${path}`,
        method: 'GET',
        params,
        headers: { ...ENCODING_FLAGS_HEADER },
        showErrorAlert: false,
        showSuccessAlert: false,
      });
      try {
        const res = await lastValueFrom(signal ? abortable(obs, signal) : obs);
        return res.data;
      } catch (err) {
        if (isFetchError(err)) {
          const data = err.data as { message?: unknown } | string | undefined;
          const detail =
            typeof data === 'string' ? data : typeof data?.message === 'string' ? data.message : err.statusText;
          throw new LokiHttpError(err.status, `Loki ${path} failed: HTTP ${err.status} ${detail ?? ''}`.trim());
        }
        throw err;
      }
    },
  };
}

function abortable<T>(obs: Observable<T>, signal: AbortSignal): Observable<T> {
  return new Observable<T>((subscriber) => {
    const sub = obs.subscribe(subscriber);
    const onAbort = () => {
      sub.unsubscribe();
      subscriber.error(new DOMException('Aborted', 'AbortError'));
    };
    signal.addEventListener('abort', onAbort);
    return () => {
      signal.removeEventListener('abort', onAbort);
      sub.unsubscribe();
    };
  });
}
