import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType } from '@grafana/data';

import { testIds } from 'services/testIds';

import AppConfig, { type AppConfigProps } from './AppConfig';

jest.mock('@grafana/runtime', () => require('../runtimeMock'));
const fetchMock: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

function props(jsonData: object): AppConfigProps {
  return {
    plugin: { meta: { id: 'attest-auditlog-app', name: 'Attest', type: PluginType.app, enabled: true, jsonData } },
    query: {},
  } as unknown as AppConfigProps;
}

describe('AppConfig', () => {
  beforeEach(() => jest.clearAllMocks());

  it('shows the configured datasources and explains tenants per organization', () => {
    render(<AppConfig {...props({ lokiDatasourceUid: 'loki-acme' })} />);
    expect(screen.getByText(/picker loki loki-acme/)).toBeInTheDocument();
    expect(screen.getByText(/by the X-Scope-OrgID header/)).toBeInTheDocument();
  });

  it('cannot save without a Loki datasource', () => {
    render(<AppConfig {...props({})} />);
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  });

  it('saves the picked datasource uid', async () => {
    const { of } = jest.requireActual('rxjs');
    fetchMock.mockReturnValue(of({ data: {} }));
    const reload = jest.fn();
    Object.defineProperty(window, 'location', { value: { ...window.location, reload }, writable: true });
    render(<AppConfig {...props({})} />);
    fireEvent.click(screen.getByText(/picker loki none/));
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(reload).toHaveBeenCalled());
    expect(fetchMock).toHaveBeenCalledWith(
      expect.objectContaining({
        url: '/api/plugins/attest-auditlog-app/settings',
        method: 'POST',
        data: expect.objectContaining({
          jsonData: { lokiDatasourceUid: 'picked-loki', tracesDatasourceUid: undefined },
        }),
      })
    );
    expect(reload).toHaveBeenCalled();
  });
});
