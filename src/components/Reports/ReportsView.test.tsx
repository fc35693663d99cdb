import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { of } from 'rxjs';

import { describePeriod, draftProblems, newDraft, specOfDraft } from 'services/reportsApi';
import { testIds } from 'services/testIds';

import { ReportsView } from './ReportsView';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

const types = {
  retentionDays: 365,
  types: [
    {
      id: 'SOX',
      name: 'SOX',
      title: 'Sarbanes-Oxley',
      description: 'Financial controls',
      controls: [{ id: 'ITGC-AC-01', title: 'x' }],
    },
    { id: 'Custom', name: 'Custom', title: 'Custom report', description: 'Chosen', controls: [] },
  ],
};
const spec = { type: 'SOX', name: 'Q4 SOX', from: '2026-09-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
const job = (id: string, status: string, extra: object = {}) => ({
  id,
  name: `Report ${id}`,
  params: JSON.stringify(spec),
  requestedBy: 'admin',
  created: '2026-12-01T10:00:00Z',
  updated: '2026-12-01T10:00:00Z',
  status,
  rows: 1234,
  size: 2048,
  ...extra,
});

const schedule = {
  id: 's1',
  name: 'Monthly SOX',
  every: 'monthly',
  spec: { type: 'SOX', name: 'Monthly SOX' },
  contactPoints: ['ops-webhook'],
  createdBy: 'admin',
  created: '2026-11-02T10:00:00Z',
  nextPeriod: '2026-12',
  nextRunAt: '2027-01-01T00:00:00Z',
  runs: [{ jobId: 'j1', period: '2026-11', status: 'completed', rows: 12, notified: true }],
};

function serve(reports: object[], schedules: object[] = []) {
  backendFetch.mockImplementation((req: { url: string; method: string }) => {
    if (req.url.endsWith('/reports/schedules') && req.method === 'GET') {
      return of({ data: { schedules } });
    }
    if (req.url.endsWith('/alerts/contact-points')) {
      return of({ data: { contactPoints: [{ name: 'ops-webhook', types: ['webhook'] }], default: 'ops-webhook' } });
    }
    if (req.url.endsWith('/reports/types')) {
      return of({ data: types });
    }
    if (req.url.endsWith('/reports') && req.method === 'GET') {
      return of({ data: { reports } });
    }
    return of({ data: {} });
  });
}

describe('ReportsView', () => {
  jest.setTimeout(20000);
  beforeEach(() => backendFetch.mockReset());

  it('lists reports with the seeds’ states, downloads and the failure reason', async () => {
    serve([
      job('a', 'completed'),
      job('b', 'running'),
      job('c', 'failed', { error: 'the audit store (Loki) answered HTTP 500' }),
    ]);
    render(<ReportsView />);
    const rows = await screen.findAllByTestId(testIds.reports.row);
    expect(rows[0]).toHaveTextContent('Completed');
    expect(rows[0]).toHaveTextContent('2026-09-01 to 2026-11-30');
    expect(within(rows[0]).getByTestId(testIds.reports.download)).toHaveAttribute(
      'href',
      '/api/plugins/attest-auditlog-app/resources/reports/a/download?file=zip'
    );
    expect(rows[1]).toHaveTextContent('Generating');
    expect(rows[1]).toHaveTextContent('1,234 events read');
    expect(rows[2]).toHaveTextContent('Failed');
    expect(rows[2]).toHaveTextContent('answered HTTP 500');
    expect(within(rows[2]).getByText('Retry')).toBeInTheDocument();
  });

  it('deletes the selected reports in bulk after confirmation', async () => {
    serve([job('a', 'completed'), job('b', 'failed'), job('c', 'completed')]);
    render(<ReportsView />);
    const rows = await screen.findAllByTestId(testIds.reports.row);
    fireEvent.click(within(rows[0]).getByRole('checkbox'));
    fireEvent.click(within(rows[2]).getByRole('checkbox'));
    const bulk = screen.getByTestId(testIds.reports.bulkDelete);
    expect(bulk).toHaveTextContent('Delete (2)');
    fireEvent.click(bulk);
    fireEvent.click(await screen.findByTestId('data-testid Confirm Modal Danger Button'));
    await waitFor(() =>
      expect(backendFetch).toHaveBeenCalledWith(
        expect.objectContaining({
          method: 'POST',
          url: expect.stringMatching(/reports\/delete$/),
          data: { ids: ['a', 'c'] },
        })
      )
    );
  });

  it('will not generate without a name, then sends the period as whole UTC days', async () => {
    serve([]);
    render(<ReportsView />);
    const generate = await screen.findByTestId(testIds.reports.generate);
    await waitFor(() => expect(generate).not.toBeDisabled());
    fireEvent.click(generate);
    fireEvent.click(await screen.findByTestId(testIds.reports.submit));
    expect(await screen.findByText('A report name is required.')).toBeInTheDocument();
    expect(backendFetch).not.toHaveBeenCalledWith(expect.objectContaining({ method: 'POST' }));
    fireEvent.change(screen.getByTestId(testIds.reports.name), { target: { value: 'Q4 SOX' } });
    fireEvent.change(screen.getByTestId(testIds.reports.start), { target: { value: '2026-09-01' } });
    fireEvent.change(screen.getByTestId(testIds.reports.end), { target: { value: '2026-11-30' } });
    fireEvent.click(screen.getByTestId(testIds.reports.submit));
    await waitFor(() =>
      expect(backendFetch).toHaveBeenCalledWith(
        expect.objectContaining({
          method: 'POST',
          url: expect.stringMatching(/resources\/reports$/),
          data: { type: 'SOX', name: 'Q4 SOX', from: '2026-09-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
        })
      )
    );
  });

  it('lists schedules with their next run and latest runs', async () => {
    serve([], [schedule]);
    render(<ReportsView />);
    const row = await screen.findByTestId(testIds.reports.scheduleRow);
    expect(row).toHaveTextContent('Monthly SOX');
    expect(row).toHaveTextContent('Monthly');
    expect(row).toHaveTextContent('ops-webhook');
    expect(row).toHaveTextContent('2026-12');
    expect(row).toHaveTextContent('2027-01-01 00:00 UTC');
    expect(row).toHaveTextContent('2026-11: Completed');
  });

  it('schedules a repeating report without dates, with its contact points', async () => {
    serve([]);
    render(<ReportsView />);
    const generate = await screen.findByTestId(testIds.reports.generate);
    await waitFor(() => expect(generate).not.toBeDisabled());
    fireEvent.click(generate);
    fireEvent.change(screen.getByTestId(testIds.reports.name), { target: { value: 'Quarterly SOX' } });
    fireEvent.click(screen.getByLabelText('Quarterly'));
    expect(screen.queryByTestId(testIds.reports.start)).not.toBeInTheDocument();
    fireEvent.click(screen.getByLabelText('Also run now for the period that has just ended'));
    fireEvent.click(screen.getByTestId(testIds.reports.submit));
    await waitFor(() =>
      expect(backendFetch).toHaveBeenCalledWith(
        expect.objectContaining({
          method: 'POST',
          url: expect.stringMatching(/reports\/schedules$/),
          data: { type: 'SOX', name: 'Quarterly SOX', every: 'quarterly', contactPoints: [], runLastPeriod: true },
        })
      )
    );
  });
});

describe('report drafts', () => {
  const now = Date.parse('2026-12-03T15:00:00Z');
  it('names what is wrong, field by field', () => {
    const d = { ...newDraft(now), name: 'x' };
    expect(draftProblems(d, 365, now)).toEqual({});
    expect(draftProblems({ ...d, name: ' ' }, 365, now).name).toMatch(/required/);
    expect(draftProblems({ ...d, endDate: '2026-12-04' }, 365, now).endDate).toMatch(/future/);
    expect(draftProblems({ ...d, startDate: '2026-11-02', endDate: '2026-11-01' }, 365, now).endDate).toMatch(/before/);
    expect(draftProblems({ ...d, startDate: '2025-12-01' }, 365, now).startDate).toMatch(
      /retention window \(earliest 2025-12-04\)/
    );
  });
  it('ends today at now, and keeps custom selections only for Custom', () => {
    const d = {
      ...newDraft(now),
      name: 'x',
      endDate: '2026-12-03',
      type: 'Custom',
      categories: ['AUTH'],
      actors: 'a, b',
      eventTypes: '',
    };
    expect(specOfDraft(d, now)).toMatchObject({
      to: '2026-12-03T15:00:00.000Z',
      categories: ['AUTH'],
      actors: ['a', 'b'],
      eventTypes: [],
    });
    expect(specOfDraft({ ...d, type: 'SOX' }, now).categories).toBeUndefined();
    expect(describePeriod({ type: 'SOX', name: '', from: '2026-12-01T00:00:00Z', to: '2026-12-03T15:00:00Z' })).toBe(
      '2026-12-01 to 2026-12-03'
    );
  });
});
