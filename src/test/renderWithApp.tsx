// Test helpers: render a page inside a router and the app context, reading the backend's routes (fake
// them with test/backend's serveBackend).
import React, { useEffect } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { render } from '@testing-library/react';

import { type AuditApi } from 'services/auditApi';
import { createBackendApi } from 'services/backendApi';
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
  { url = '/', settings = {}, extend }: { url?: string; settings?: AppJsonData; extend?: Partial<AuditApi> } = {}
) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <AppProvider settings={settings} api={extend ? { ...createBackendApi(), ...extend } : undefined}>
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
