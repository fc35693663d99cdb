import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { of } from 'rxjs';

import { testIds } from 'services/testIds';

import { ResourcePackButton } from './ResourcePack';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

const event = {
  targetType: 'incident',
  targetId: 'INC-7',
  targetName: 'Payment outage',
  timeMs: Date.now() - 3_600_000,
};

describe('ResourcePackButton', () => {
  jest.setTimeout(20000);
  beforeEach(() => {
    backendFetch.mockReset();
    backendFetch.mockImplementation((req: { url: string }) =>
      of({ data: req.url.endsWith('/reports/types') ? { retentionDays: 90, types: [] } : { id: 'r1' } })
    );
  });

  it('is not offered for an event without a resource', () => {
    render(<ResourcePackButton event={{ ...event, targetType: '', targetId: '', targetName: '' }} />);
    expect(screen.queryByTestId(testIds.viewer.pack)).not.toBeInTheDocument();
  });

  it('generates a Custom pack of the resource with its related events', async () => {
    render(
      <MemoryRouter>
        <ResourcePackButton event={event} />
      </MemoryRouter>
    );
    fireEvent.click(screen.getByTestId(testIds.viewer.pack));
    expect(await screen.findByDisplayValue('Evidence pack — Payment outage')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.viewer.packSubmit));
    await waitFor(() =>
      expect(backendFetch).toHaveBeenCalledWith(
        expect.objectContaining({
          method: 'POST',
          url: expect.stringMatching(/resources\/reports$/),
          data: expect.objectContaining({
            type: 'Custom',
            name: 'Evidence pack — Payment outage',
            targetType: 'incident',
            targetId: 'INC-7',
            related: true,
          }),
        })
      )
    );
    expect(await screen.findByText('Open Reports to download it')).toBeInTheDocument();
  });
});
