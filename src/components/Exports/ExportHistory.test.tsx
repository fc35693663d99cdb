import React from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import { of } from 'rxjs';

import { testIds } from 'services/testIds';

import { POLL_MS } from 'components/shared/useJobList';
import { ExportHistory } from './ExportHistory';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

const job = (over: object) => ({
  id: 'e1',
  name: 'Audit log until 2026-12-03 08:00 UTC',
  format: 'csv',
  params: JSON.stringify({ from: 1, to: 2, category: 'AUTH' }),
  requestedBy: 'admin',
  created: '2026-12-03T08:00:00Z',
  updated: '2026-12-03T08:00:01Z',
  status: 'running',
  rows: 1000,
  size: 2048,
  ...over,
});

describe('ExportHistory', () => {
  jest.setTimeout(20000);
  beforeEach(() => backendFetch.mockReset());

  it('lists exports, polls while one runs, and offers the download once completed', async () => {
    backendFetch
      .mockReturnValueOnce(of({ data: { exports: [job({})] } }))
      .mockReturnValue(of({ data: { exports: [job({ status: 'completed', rows: 1200, sha256: 'ab'.repeat(32) })] } }));
    jest.useFakeTimers();
    try {
      render(<ExportHistory />);
      await act(async () => {
        await Promise.resolve();
      });
      expect(screen.getByTestId(testIds.exports.row)).toHaveTextContent('category=AUTH');
      expect(screen.getByTestId(testIds.exports.row)).toHaveTextContent('running');
      expect(screen.queryByTestId(testIds.exports.download)).toBeNull();
      await act(async () => {
        jest.advanceTimersByTime(POLL_MS);
      });
    } finally {
      jest.useRealTimers();
    }
    await waitFor(() => expect(screen.getByTestId(testIds.exports.download)).toBeInTheDocument());
    expect(screen.getByTestId(testIds.exports.download)).toHaveAttribute(
      'href',
      '/api/plugins/attest-auditlog-app/resources/exports/e1/download'
    );
    expect(screen.getByTestId(testIds.exports.row)).toHaveTextContent('1,200');
    expect(screen.getByTestId(testIds.exports.row)).toHaveTextContent('2.0 KiB');
  });

  it('says how to make the first export', async () => {
    backendFetch.mockReturnValue(of({ data: { exports: [] } }));
    render(<ExportHistory />);
    expect(await screen.findByText('No exports yet')).toBeInTheDocument();
  });
});
