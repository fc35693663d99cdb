import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { type AppRootProps, PluginType } from '@grafana/data';
import { render, screen } from '@testing-library/react';

import { testIds } from 'services/testIds';

import App from './App';

jest.mock('@grafana/runtime', () => require('../runtimeMock'));

const props = (jsonData: object) =>
  ({
    basename: 'a/attest-auditlog-app',
    meta: { id: 'attest-auditlog-app', name: 'Attest', type: PluginType.app, enabled: true, jsonData },
    query: {},
    path: '',
    onNavChanged: jest.fn(),
  }) as unknown as AppRootProps;

describe('App', () => {
  jest.setTimeout(20000);

  it('opens the Overview by default and asks for a datasource when none is configured', async () => {
    render(
      <MemoryRouter>
        <App {...props({})} />
      </MemoryRouter>
    );
    expect(await screen.findByTestId(testIds.notConfigured, {}, { timeout: 15000 })).toBeInTheDocument();
  });

  it('routes /events to the Event viewer', async () => {
    render(
      <MemoryRouter initialEntries={['/events']}>
        <App {...props({})} />
      </MemoryRouter>
    );
    expect(await screen.findByTestId(testIds.notConfigured, {}, { timeout: 15000 })).toBeInTheDocument();
  });
});
