import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { of } from 'rxjs';

import { testIds } from 'services/testIds';

import { draftProblem } from './draft';
import { RetentionView } from './RetentionView';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

const view = {
  tenant: 'acme',
  policy: { days: 365, categories: { AUTH: 730 }, archive: true },
  stored: true,
  updatedBy: 'admin',
  updatedAt: '2026-12-01T10:00:00Z',
  applied: true,
  lokiDays: 367,
  floorDays: 30,
  maxDays: 3650,
  pruneAt: '03:00',
  archiveLocation: '/var/lib/grafana/attest/archive/acme',
  running: false,
  runs: [
    {
      id: 'r1',
      trigger: 'schedule',
      at: '2026-12-03T03:00:02Z',
      status: 'ok',
      rows: 1234,
      segments: [{ days: 365, fromNs: 1764000000000000000, cutoffNs: 1764720000000000000, rows: 1234 }],
      archive: {
        location: '/x/a.jsonl.gz',
        manifest: '/x/a.manifest.json',
        sha256: 'ab'.repeat(32),
        size: 10,
        rows: 1234,
      },
    },
    {
      id: 'r0',
      trigger: 'catch-up',
      at: '2026-12-02T09:00:00Z',
      status: 'refused',
      message: 'refused: below',
      rows: 0,
      segments: [],
    },
  ],
};

describe('RetentionView', () => {
  jest.setTimeout(20000);
  beforeEach(() => backendFetch.mockReset());

  it('shows the window, the category windows and the runs with their archive', async () => {
    backendFetch.mockReturnValue(of({ data: view }));
    render(<RetentionView />);
    expect(await screen.findByTestId(testIds.retention.days)).toHaveValue(365);
    expect(screen.getByText(/Loki keeps 367 days/)).toBeInTheDocument();
    const rows = screen.getAllByTestId(testIds.retention.row);
    expect(rows[0]).toHaveTextContent('1,234');
    expect(rows[0]).toHaveTextContent('/x/a.jsonl.gz');
    expect(rows[1]).toHaveTextContent('refused');
  });

  it('will not send a window under the floor, and sends a valid one', async () => {
    backendFetch.mockReturnValue(of({ data: view }));
    render(<RetentionView />);
    const days = await screen.findByTestId(testIds.retention.days);
    fireEvent.change(days, { target: { value: '29' } });
    expect(screen.getByText(/from 30 to 3650/)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.retention.save)).toBeDisabled();
    fireEvent.change(days, { target: { value: '400' } });
    fireEvent.click(screen.getByTestId(testIds.retention.save));
    await waitFor(() =>
      expect(backendFetch).toHaveBeenCalledWith(
        expect.objectContaining({
          method: 'PUT',
          url: '/api/plugins/attest-auditlog-app/resources/retention',
          data: { days: 400, categories: { AUTH: 730 }, archive: true },
        })
      )
    );
  });

  it('erases a person after confirmation and says what was scrubbed', async () => {
    backendFetch.mockImplementation((req: { url: string; method: string }) =>
      of({
        data: req.url.endsWith('subjects/erase') ? { erasureId: 'e-ab12', jobsScrubbed: 1, filesDeleted: 2 } : view,
      })
    );
    render(<RetentionView />);
    fireEvent.change(await screen.findByTestId(testIds.retention.eraseInput), {
      target: { value: ' ana@example.com ' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Erase' }));
    fireEvent.click(await screen.findByTestId('data-testid Confirm Modal Danger Button'));
    await waitFor(() =>
      expect(backendFetch).toHaveBeenCalledWith(
        expect.objectContaining({
          method: 'POST',
          url: expect.stringMatching(/subjects\/erase$/),
          data: { subject: 'ana@example.com' },
        })
      )
    );
    expect(
      await screen.findByText(
        /Identities shredded; 1 export or report requests scrubbed, 2 files deleted. The erasure is in the trail as e-ab12/
      )
    ).toBeInTheDocument();
  });

  it('names what is wrong with a draft', () => {
    expect(draftProblem({ days: '30', categories: [], archive: false }, 30, 3650)).toBeUndefined();
    expect(draftProblem({ days: '3651', categories: [], archive: false }, 30, 3650)).toMatch(/30 to 3650/);
    expect(draftProblem({ days: '90', categories: [{ category: '', days: '90' }], archive: false }, 30, 3650)).toMatch(
      /Pick a category/
    );
    expect(
      draftProblem({ days: '90', categories: [{ category: 'AUTH', days: '7' }], archive: false }, 30, 3650)
    ).toMatch(/AUTH/);
  });
});
