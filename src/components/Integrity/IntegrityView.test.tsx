import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { of } from 'rxjs';

import { testIds } from 'services/testIds';

import { IntegrityView } from './IntegrityView';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

const summary = (over: object) => ({
  ok: true,
  from: '1796256000000000000',
  to: '1796342400000000000',
  records: 1200,
  chains: 3,
  duplicates: 0,
  problemCount: 0,
  problems: [],
  checkpoints: { checked: 2, matched: 2, missing: [] },
  ...over,
});

describe('IntegrityView', () => {
  jest.setTimeout(20000);
  beforeEach(() => backendFetch.mockReset());

  it('lists verifications with records, chains, checkpoints and the first break linked to its event', async () => {
    backendFetch.mockReturnValue(
      of({
        data: {
          verifications: [
            {
              id: 'v2',
              status: 'completed',
              requestedBy: 'admin',
              created: '2026-12-03T08:00:00Z',
              rows: 1200,
              summary: summary({}),
            },
            {
              id: 'v1',
              status: 'completed',
              requestedBy: 'schedule',
              created: '2026-12-02T02:30:00Z',
              rows: 900,
              summary: summary({
                ok: false,
                problemCount: 2,
                firstBreak: {
                  chainId: 'chain-abcdef-123456',
                  seq: 10,
                  problem: 'conflict',
                  detail: '',
                  id: 'e-10',
                  tsNs: '1796300000000000000',
                },
              }),
            },
          ],
        },
      })
    );
    render(<IntegrityView />);
    const rows = await screen.findAllByTestId(testIds.integrity.row);
    expect(rows[0]).toHaveTextContent('Intact');
    expect(rows[0]).toHaveTextContent('2 of 2 matched');
    expect(rows[0]).toHaveTextContent('1,200');
    expect(rows[1]).toHaveTextContent('2 problems');
    expect(rows[1]).toHaveTextContent('conflict at chain chain-abcdef- seq 10');
    expect(screen.getByTestId(testIds.integrity.breakLink)).toHaveAttribute(
      'href',
      '/a/attest-auditlog-app/events?id=e-10&from=1796299940000&to=1796300060000'
    );
  });

  it('starts a verification of the chosen range', async () => {
    backendFetch.mockReturnValue(of({ data: { verifications: [] } }));
    render(<IntegrityView />);
    fireEvent.click(await screen.findByTestId(testIds.integrity.run));
    await waitFor(() =>
      expect(backendFetch).toHaveBeenCalledWith(
        expect.objectContaining({
          method: 'POST',
          url: '/api/plugins/attest-auditlog-app/resources/integrity/verifications',
        })
      )
    );
    const body = backendFetch.mock.calls.find((c) => c[0].method === 'POST')[0].data;
    expect(BigInt(body.to) - BigInt(body.from)).toBe(BigInt(24 * 3600 * 1000) * BigInt(1_000_000));
  });
});
