// Browser harness: mounts the plugin's real root component (src/components/App/App) the way Grafana does
// (theme, router under /a/<plugin-id>/, i18n, backend_srv). Served by run.mjs, which forwards every
// /api/* request to the real Grafana server (no UI build exists for the Grafana built here).
import React from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Observable } from 'rxjs';
import { ThemeContext, createTheme, type AppPluginMeta, PluginType } from '@grafana/data';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
// Setters Grafana itself calls at startup; not in the packages' public exports, so imported by file (the
// same module instances the public entry points re-export).
// @ts-ignore untyped deep import
import { initializeI18n } from '../../node_modules/@grafana/i18n/dist/esm/i18n.mjs';
// @ts-ignore untyped deep import
import { setPluginPage } from '../../node_modules/@grafana/runtime/dist/esm/components/PluginPage.mjs';
// @ts-ignore untyped deep import
import { setPanelRenderer } from '../../node_modules/@grafana/runtime/dist/esm/components/PanelRenderer.mjs';
import { GlobalStyles } from '@grafana/ui';

import App from '../../src/app/App';
import { PLUGIN_BASE_URL } from '../../src/services/plugin';

// Minimal backend_srv: fetch() does a real window.fetch and reports errors in FetchError shape.
const backendSrv = {
  fetch<T>(req: BackendSrvRequest): Observable<{ data: T; status: number; statusText: string; ok: boolean }> {
    return new Observable((subscriber) => {
      const ctrl = new AbortController();
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(req.params ?? {})) {
        if (v !== undefined && v !== null) {
          qs.set(k, String(v));
        }
      }
      const url = qs.toString() ? `${req.url}?${qs}` : req.url;
      window
        .fetch(url, {
          method: req.method ?? 'GET',
          headers: req.data !== undefined ? { 'Content-Type': 'application/json', ...req.headers } : req.headers,
          body: req.data !== undefined ? JSON.stringify(req.data) : undefined,
          signal: ctrl.signal,
        })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            /* keep text */
          }
          if (!res.ok) {
            subscriber.error({ status: res.status, statusText: res.statusText, data, config: req });
            return;
          }
          subscriber.next({ data: data as T, status: res.status, statusText: res.statusText, ok: true });
          subscriber.complete();
        })
        .catch((err) => subscriber.error(err));
      return () => ctrl.abort();
    });
  },
} as unknown as BackendSrv;
setBackendSrv(backendSrv);

// Grafana's page chrome is not available outside Grafana: a plain stand-in with the subtitle.
setPluginPage((({ subTitle, children }: { subTitle?: React.ReactNode; children?: React.ReactNode }) => (
  <main style={{ padding: 24 }}>
    {subTitle && <p style={{ opacity: 0.7 }}>{subTitle}</p>}
    {children}
  </main>
)) as never);

// Grafana core's panel plugins are not available either: a stand-in that lists the series it was given.
// Its button reports a drag across the last day of the range, as the time series panel would.
setPanelRenderer((({ data, pluginId, width, height, onChangeTimeRange }: any) => (
  <div
    data-testid="panel-renderer"
    data-plugin={pluginId}
    style={{ width, minHeight: height / 4, border: '1px dashed #888', padding: 8 }}
  >
    {`[${pluginId} stand-in] `}
    {data.series
      .map((s: any) => `${s.name}: ${s.fields[s.fields.length - 1].values.reduce((a: number, b: number) => a + b, 0)}`)
      .join(' · ')}
    {onChangeTimeRange && (
      <button
        type="button"
        data-testid="panel-renderer-select"
        onClick={() => {
          const to = data.timeRange.to.valueOf();
          onChangeTimeRange({ from: to - 86_400_000, to });
        }}
      >
        select the last day
      </button>
    )}
  </div>
)) as never);

const meta = {
  id: 'attest-auditlog-app',
  name: 'Attest audit log',
  type: PluginType.app,
  enabled: true,
  jsonData: {},
} as unknown as AppPluginMeta;

const theme = createTheme({ colors: { mode: 'dark' } });

async function main() {
  await initializeI18n({ language: 'en-US', ns: ['grafana'] });
  createRoot(document.getElementById('root')!).render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <BrowserRouter>
        <Routes>
          <Route
            path={`${PLUGIN_BASE_URL}/*`}
            element={
              <App meta={meta} basename={PLUGIN_BASE_URL} path={PLUGIN_BASE_URL} query={{}} onNavChanged={() => {}} />
            }
          />
        </Routes>
      </BrowserRouter>
    </ThemeContext.Provider>
  );
}
main().catch((err) => {
  document.body.textContent = `harness failed: ${err}`;
  throw err;
});
