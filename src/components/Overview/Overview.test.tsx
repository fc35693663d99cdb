import React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { testIds } from 'services/testIds';

import { anEvent, callsTo, serveBackend } from 'test/backend';
import { lastLocation, renderWithApp } from 'test/renderWithApp';
import { Overview } from './Overview';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));

const now = Date.now();

/** The backend's overview route, as pkg/loki/overview.go answers it. */
function backend(total = true) {
  return serveBackend({
    overview: () => ({
      total: total ? 133 : 0,
      criticalAndError: total ? 5 : 0,
      warnings: total ? 8 : 0,
      activeUsers: total ? 7 : 0,
      byCategory: total
        ? [
            { name: 'AUTH', count: 128 },
            { name: 'SYSTEM', count: 3 },
            { name: 'SECURITY', count: 2 },
          ]
        : [],
      bySeverity: total ? { INFO: 120, WARNING: 8, CRITICAL: 2, ERROR: 3 } : {},
      topEventTypes: total
        ? [
            { name: 'auth.login.succeeded', count: 100 },
            { name: 'auth.login.failed', count: 8 },
          ]
        : [],
      overTime: { stepMs: 3_600_000, series: total ? [{ category: 'AUTH', points: [[now - 3_600_000, 128]] }] : [] },
      recentHighSeverity: total
        ? [
            anEvent({
              tsNs: (BigInt(now - 60_000) * BigInt(1_000_000)).toString(),
              description: 'Nightly backup failed: storage unreachable',
              category: 'SYSTEM',
              severity: 'CRITICAL',
              service: 'platform-controller',
              id: 'evt-1',
              eventType: 'system.backup.failed',
            }),
          ]
        : [],
      dailyCountDays: 0,
    }),
  });
}

describe('Overview', () => {
  beforeEach(() => jest.clearAllMocks());

  it('shows the four stat cards, category chips, the chart, top event types and recent high-severity events', async () => {
    backend();
    renderWithApp(<Overview />, { url: '/overview' });
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
    backend();
    renderWithApp(<Overview />, { url: '/overview' });
    await screen.findByTestId(testIds.overview.statTotal);
    fireEvent.click(screen.getByText('select span'));
    await waitFor(() => expect(lastLocation.pathname).toBe('/a/attest-auditlog-app/events'));
    expect(lastLocation.search).toBe('?from=1700000000000&to=1700086400000');
  });

  it('switches the time range and keeps it in the URL', async () => {
    const fetch = backend();
    renderWithApp(<Overview />, { url: '/overview' });
    await screen.findByTestId(testIds.overview.statTotal);
    fireEvent.click(screen.getByLabelText('Last 7 days'));
    await waitFor(() => expect(lastLocation.search).toContain('from=now-7d'));
    const week = (p: Record<string, string>) => Math.round((Number(p.to) - Number(p.from)) / 86_400_000_000_000) === 7;
    await waitFor(() => expect(callsTo(fetch, 'overview').some(week)).toBe(true));
    const calls = fetch.mock.calls.length;
    fireEvent.click(screen.getByTestId(testIds.overview.refresh));
    await waitFor(() => expect(fetch.mock.calls.length).toBeGreaterThan(calls));
  });

  it('says what to check when there are no events', async () => {
    backend(false);
    renderWithApp(<Overview />, { url: '/overview' });
    expect(await screen.findByTestId(testIds.overview.empty)).toHaveTextContent(/mapped to its tenant/);
  });

  it('shows errors', async () => {
    serveBackend({
      overview: () => {
        throw {
          status: 403,
          data: { error: 'no_tenant', message: 'this organization has no audit tenant configured' },
        };
      },
    });
    renderWithApp(<Overview />, { url: '/overview' });
    expect(await screen.findByTestId(testIds.overview.error)).toHaveTextContent('no audit tenant configured');
  });
});
