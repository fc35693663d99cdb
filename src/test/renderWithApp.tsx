// Test helpers: render a page inside a router and the app context, reading a fake Loki transport.
import React, { useEffect } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render } from '@testing-library/react';

import { type AuditApi, createLokiApi } from 'services/auditApi';
import { type LokiTransport } from 'services/lokiTransport';
import { type AppJsonData } from 'services/settings';

import { AppProvider } from 'app/AppContext';

export const lastLocation: { pathname: string; search: string } = { pathname: '', search: '' };

function LocationSpy() {
  const loc = useLocation();
  useEffect(() => {
    Object.assign(lastLocation, { pathname: loc.pathname, search: loc.search });
  }, [loc.pathname, loc.search]);
  return null;
}

export function renderWithApp(
  ui: React.ReactElement,
  {
    url = '/',
    transport,
    settings = {},
    extend = {},
  }: { url?: string; transport?: LokiTransport; settings?: AppJsonData; extend?: Partial<AuditApi> } = {}
) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <AppProvider settings={settings} api={transport ? { ...createLokiApi(transport), ...extend } : undefined}>
        <Routes>
          <Route
            path="*"
            element={
              <>
                <LocationSpy />
                {ui}
              </>
            }
          />
        </Routes>
      </AppProvider>
    </MemoryRouter>
  );
}

export const streams = (
  entries: Array<{ ts: string; line: string; labels: Record<string, string>; md: Record<string, string> }>
) => ({
  status: 'success',
  data: {
    resultType: 'streams',
    result: entries.map((e) => ({ stream: e.labels, values: [[e.ts, e.line, { structuredMetadata: e.md }]] })),
  },
});

export const vector = (samples: Array<[Record<string, string>, number]>) => ({
  status: 'success',
  data: { resultType: 'vector', result: samples.map(([metric, v]) => ({ metric, value: [0, String(v)] })) },
});

export const matrix = (series: Array<[Record<string, string>, Array<[number, number]>]>) => ({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: series.map(([metric, vs]) => ({ metric, values: vs.map(([t, v]) => [t, String(v)]) })),
  },
});
