import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import { testIds } from 'services/testIds';

import { ExportMenu } from './ExportMenu';

const requestExport = jest.fn();
jest.mock('services/exportsApi', () => ({
  ...jest.requireActual('services/exportsApi'),
  requestExport: (...args: unknown[]) => requestExport(...args),
}));

const range = { startNs: '1000000', endNs: '2000000' };

describe('ExportMenu', () => {
  beforeEach(() => requestExport.mockReset());

  it('asks for a name, warns of personal data, and sends the name with the format', async () => {
    requestExport.mockResolvedValue({ name: 'Q4 evidence' });
    const onOutcome = jest.fn();
    render(<ExportMenu filters={{ categories: ['AUTH'] } as never} range={range} onOutcome={onOutcome} />);
    fireEvent.click(screen.getByTestId(testIds.exports.menu));
    fireEvent.click(await screen.findByText('CSV'));
    const dialog = await screen.findByTestId(testIds.exports.dialog);
    expect(dialog.textContent).toContain('This file contains personal data');
    fireEvent.change(screen.getByTestId(testIds.exports.name), { target: { value: ' Q4 evidence ' } });
    fireEvent.click(screen.getByTestId(testIds.exports.confirm));
    await waitFor(() => expect(onOutcome).toHaveBeenCalledWith({ started: 'Q4 evidence' }));
    expect(requestExport).toHaveBeenCalledWith('Q4 evidence', 'csv', { categories: ['AUTH'] }, range);
  });

  it('leaves an unnamed export for the server to name audit-log-<timestamp>', async () => {
    requestExport.mockResolvedValue({ name: 'audit-log-2026-12-06T10-00-00Z' });
    render(<ExportMenu filters={{} as never} range={range} onOutcome={jest.fn()} />);
    fireEvent.click(screen.getByTestId(testIds.exports.menu));
    fireEvent.click(await screen.findByText('JSON'));
    fireEvent.click(await screen.findByTestId(testIds.exports.confirm));
    await waitFor(() => expect(requestExport).toHaveBeenCalled());
    expect(requestExport.mock.calls[0][0]).toBe('');
    expect(requestExport.mock.calls[0][1]).toBe('json');
  });
});
