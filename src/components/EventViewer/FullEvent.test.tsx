import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { testIds } from 'services/testIds';

import { anEvent } from 'test/backend';
import { FullEvent, fullEventJson } from './FullEvent';

const event = anEvent({
  tsNs: '1796500000000000123',
  description: 'Invoice INV-7 updated',
  service: 'billing-api',
  id: '0199aaaa-bbbb-7ccc-8ddd-eeeeffff0001',
  eventType: 'invoice.updated',
  category: 'DATA_MODIFY',
  changes: '{"before":{"amount":10},"after":{"amount":12}}',
  metadata: 'not json',
  actorEmail: 'ann@example.com',
  labels: { service_name: 'billing-api' },
});

describe('FullEvent', () => {
  it('gives every field, with changes nested and text metadata kept as text', () => {
    const parsed = JSON.parse(fullEventJson(event));
    expect(parsed.id).toBe('0199aaaa-bbbb-7ccc-8ddd-eeeeffff0001');
    expect(parsed.tsNs).toBe('1796500000000000123');
    expect(parsed.changes).toEqual({ before: { amount: 10 }, after: { amount: 12 } });
    expect(parsed.metadata).toBe('not json');
    expect(parsed.actorEmail).toBe('ann@example.com');
    expect(parsed.labels.service_name).toBe('billing-api');
  });

  it('opens to the JSON with a copy button', () => {
    render(<FullEvent event={event} />);
    const box = screen.getByTestId(testIds.viewer.fullEvent);
    fireEvent.click(screen.getByText('Full event (JSON)'));
    expect(box.textContent).toContain('"eventType": "invoice.updated"');
    expect(screen.getByRole('button', { name: /copy json/i })).toBeInTheDocument();
  });
});
