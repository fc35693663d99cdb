import React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { type LokiTransport } from 'services/lokiTransport';
import { testIds } from 'services/testIds';

import { lastLocation, matrix, renderWithApp, streams, vector } from 'test/renderWithApp';
import { Overview } from './Overview';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));

const now = Date.now();
function fakeTransport(total = true): LokiTransport & { get: jest.Mock } {
  return {
    get: jest.fn(async (path: string, params: Record<string, string>) => {
      const q = params.query;
      if (q.startsWith('sum by (audit_category, severity_text)')) {
        return total
          ? vector([
              [{ audit_category: 'AUTH', severity_text: 'INFO' }, 120],
              [{ audit_category: 'AUTH', severity_text: 'WARNING' }, 8],
              [{ audit_category: 'SECURITY', severity_text: 'CRITICAL' }, 2],
              [{ audit_category: 'SYSTEM', severity_text: 'ERROR' }, 3],
            ])
          : vector([]);
      }
      if (q.startsWith('count(')) {
        return vector([[{}, 7]]);
      }
      if (q.startsWith('topk')) {
        return vector([
          [{ audit_event: 'auth.login.succeeded' }, 100],
          [{ audit_event: 'auth.login.failed' }, 8],
        ]);
      }
      if (q.startsWith('sum by (audit_category)')) {
        return matrix([[{ audit_category: 'AUTH' }, [[now / 1000 - 3600, 128]]]]);
      }
      return streams([
        {
          ts: (BigInt(now - 60_000) * BigInt(1_000_000)).toString(),
          line: 'Nightly backup failed: storage unreachable',
          labels: { audit_category: 'SYSTEM', severity_text: 'CRITICAL', service_name: 'platform-controller' },
          md: { audit_id: 'evt-1', audit_event: 'system.backup.failed' },
        },
      ]);
    }),
  };
}

describe('Overview', () => {
  beforeEach(() => jest.clearAllMocks());

  it('shows the four stat cards, category chips, the chart, top event types and recent high-severity events', async () => {
    renderWithApp(<Overview />, { url: '/overview', transport: fakeTransport() });
    expect(await screen.findByTestId(testIds.overview.statTotal)).toHaveTextContent('133');
    expect(screen.getByTestId(testIds.overview.statCritical)).toHaveTextContent('5');
    expect(screen.getByTestId(testIds.overview.statWarnings)).toHaveTextContent('8');
    expect(screen.getByTestId(testIds.overview.statUsers)).toHaveTextContent('7');
    const chips = screen.getAllByTestId(testIds.overview.categoryChip);
    expect(chips.map((c) => c.textContent)).toEqual(['AUTH · 128', 'SYSTEM · 3', 'SECURITY · 2']);
    expect(chips[0]).toHaveAttribute('href', '/a/attest-auditlog-app/events?category=AUTH');
    expect(screen.getByTestId('panel-renderer')).toHaveTextContent('AUTH');
    expect(
      within(screen.getByTestId(testIds.overview.topEventTypes)).getByText('auth.login.succeeded')
    ).toBeInTheDocument();
    const recent = within(screen.getByTestId(testIds.overview.recentHighSeverity)).getByText(
      'Nightly backup failed: storage unreachable'
    );
    expect(recent.closest('a')).toHaveAttribute('href', expect.stringMatching(/\/events\?id=evt-1&from=\d+&to=\d+/));
  });

  it('a span selected on the chart opens the viewer over that span', async () => {
    renderWithApp(<Overview />, { url: '/overview', transport: fakeTransport() });
    await screen.findByTestId(testIds.overview.statTotal);
    fireEvent.click(screen.getByText('select span'));
    await waitFor(() => expect(lastLocation.pathname).toBe('/a/attest-auditlog-app/events'));
    expect(lastLocation.search).toBe('?from=1700000000000&to=1700086400000');
  });

  it('switches the time range and keeps it in the URL', async () => {
    const transport = fakeTransport();
    renderWithApp(<Overview />, { url: '/overview', transport });
    await screen.findByTestId(testIds.overview.statTotal);
    fireEvent.click(screen.getByLabelText('Last 7 days'));
    await waitFor(() => expect(lastLocation.search).toContain('from=now-7d'));
    await waitFor(() => expect(transport.get.mock.calls.some((c) => String(c[1].query).includes('[7d]'))).toBe(true));
    const calls = transport.get.mock.calls.length;
    fireEvent.click(screen.getByTestId(testIds.overview.refresh));
    await waitFor(() => expect(transport.get.mock.calls.length).toBeGreaterThan(calls));
  });

  it('says what to check when there are no events', async () => {
    renderWithApp(<Overview />, { url: '/overview', transport: fakeTransport(false) });
    expect(await screen.findByTestId(testIds.overview.empty)).toHaveTextContent(/mapped to its tenant/);
  });

  it('shows errors', async () => {
    renderWithApp(<Overview />, {
      url: '/overview',
      transport: { get: jest.fn().mockRejectedValue(new Error('HTTP 401 no org id')) },
    });
    expect(await screen.findByTestId(testIds.overview.error)).toHaveTextContent('no org id');
  });
});
