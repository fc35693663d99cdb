import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { type AppRootProps, PluginType } from '@grafana/data';
import { render, screen } from '@testing-library/react';
import { of } from 'rxjs';

import { testIds } from 'services/testIds';

import App from './App';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

const me = (over: object) =>
  of({
    data: {
      login: 'ann',
      role: 'Admin',
      orgId: 1,
      readRole: 'Admin',
      canRead: false,
      tenantConfigured: false,
      ...over,
    },
  });

const props = (jsonData: object) =>
  ({
    basename: 'a/attest-auditlog-app',
    meta: { id: 'attest-auditlog-app', name: 'Attest', type: PluginType.app, enabled: true, jsonData },
    query: {},
    path: '',
    onNavChanged: jest.fn(),
  }) as unknown as AppRootProps;

describe('App', () => {
  beforeEach(() => backendFetch.mockReset());
  jest.setTimeout(20000);

  it('asks for a tenant when the backend says this organization has none', async () => {
    backendFetch.mockReturnValue(me({}));
    render(
      <MemoryRouter>
        <App {...props({})} />
      </MemoryRouter>
    );
    expect(await screen.findByTestId(testIds.notConfigured, {}, { timeout: 15000 })).toBeInTheDocument();
  });

  it('tells a Viewer which role reading needs, and opens no page', async () => {
    backendFetch.mockReturnValue(me({ role: 'Viewer', tenantConfigured: true }));
    render(
      <MemoryRouter initialEntries={['/events']}>
        <App {...props({})} />
      </MemoryRouter>
    );
    expect(await screen.findByTestId(testIds.noAccess, {}, { timeout: 15000 })).toHaveTextContent(/Admin role/);
    expect(backendFetch.mock.calls.map((c: Array<{ url: string }>) => c[0].url)).toEqual([
      '/api/plugins/attest-auditlog-app/resources/me',
    ]);
  });
});
