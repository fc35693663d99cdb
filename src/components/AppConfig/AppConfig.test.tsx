import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType } from '@grafana/data';

import { testIds } from 'services/testIds';

import AppConfig, { type AppConfigProps } from './AppConfig';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const fetchMock: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

function props(jsonData: object): AppConfigProps {
  return {
    plugin: { meta: { id: 'attest-auditlog-app', name: 'Attest', type: PluginType.app, enabled: true, jsonData } },
    query: {},
  } as unknown as AppConfigProps;
}

describe('AppConfig', () => {
  beforeEach(() => jest.clearAllMocks());

  it('shows the stored settings and says no Loki datasource is needed', () => {
    render(<AppConfig {...props({ lokiUrl: 'http://loki:3100', tenant: 'acme' })} />);
    expect(screen.getByTestId(testIds.appConfig.lokiUrl)).toHaveValue('http://loki:3100');
    expect(screen.getByTestId(testIds.appConfig.tenant)).toHaveValue('acme');
    expect(screen.getByText(/Do not add a Loki datasource/)).toBeInTheDocument();
  });

  it('saves without a Loki URL (the store is a server setting), never with an invalid one', () => {
    render(<AppConfig {...props({})} />);
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeEnabled();
    fireEvent.change(screen.getByTestId(testIds.appConfig.lokiUrl), { target: { value: 'loki:3100' } });
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  });

  it('saves the settings, the password only in secureJsonData', async () => {
    const { of } = jest.requireActual('rxjs');
    fetchMock.mockReturnValue(of({ data: {} }));
    const reload = jest.fn();
    Object.defineProperty(window, 'location', { value: { ...window.location, reload }, writable: true });
    render(<AppConfig {...props({})} />);
    fireEvent.change(screen.getByTestId(testIds.appConfig.lokiUrl), { target: { value: 'http://loki:3100' } });
    fireEvent.change(screen.getByTestId(testIds.appConfig.tenant), { target: { value: 'acme' } });
    fireEvent.click(screen.getByText('Editor'));
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(reload).toHaveBeenCalled());
    expect(fetchMock).toHaveBeenCalledWith(
      expect.objectContaining({
        url: '/api/plugins/attest-auditlog-app/settings',
        method: 'POST',
        data: expect.objectContaining({
          jsonData: expect.objectContaining({ lokiUrl: 'http://loki:3100', tenant: 'acme', readRole: 'Editor' }),
        }),
      })
    );
    const post = fetchMock.mock.calls.find((c) => c[0].method === 'POST')![0];
    expect(post.data.secureJsonData).toBeUndefined();
  });

  it('sends a typed service account token, and only that secret', async () => {
    const { of } = jest.requireActual('rxjs');
    fetchMock.mockReturnValue(of({ data: {} }));
    const reload = jest.fn();
    Object.defineProperty(window, 'location', { value: { ...window.location, reload }, writable: true });
    render(<AppConfig {...props({})} />);
    fireEvent.change(screen.getByTestId(testIds.appConfig.grafanaToken), { target: { value: 'glsa_token' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(reload).toHaveBeenCalled());
    const post = fetchMock.mock.calls.find((c) => c[0].method === 'POST')![0];
    expect(post.data.secureJsonData).toEqual({ grafanaToken: 'glsa_token' });
  });
});
