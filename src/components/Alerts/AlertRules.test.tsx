import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { of, throwError } from 'rxjs';

import { type AlertRule } from 'services/alertsApi';
import { testIds } from 'services/testIds';

import { AlertRules } from './AlertRules';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));
const backendFetch: jest.Mock = jest.requireMock('@grafana/runtime').backendFetch;

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  uid: 'attest-1',
  name: 'Critical security events',
  description: '',
  kind: 'count',
  categories: ['AUTH', 'SECURITY'],
  severity: 'CRITICAL',
  eventTypes: [],
  actor: '',
  outcome: '',
  changedTo: '',
  perActor: false,
  threshold: 1,
  windowMinutes: 5,
  contactPoints: ['ops-webhook'],
  active: true,
  lastTriggered: '2026-12-03T08:00:00Z',
  triggerCount: 3,
  firing: false,
  ...over,
});

type Req = { url: string; method: string; data?: unknown };

/** Answers the routes like the backend; records what was sent. */
function backend(rules: AlertRule[], starters: AlertRule[] = []) {
  const sent: Req[] = [];
  backendFetch.mockImplementation((req: Req) => {
    const path = req.url.replace('/api/plugins/attest-auditlog-app/resources/', '');
    if (req.method !== 'GET') {
      sent.push({ ...req, url: path });
    }
    if (req.method === 'GET' && path === 'alerts') {
      return of({ data: { rules, starters, historyError: '' } });
    }
    if (req.method === 'GET' && path === 'alerts/contact-points') {
      return of({ data: { contactPoints: [{ name: 'ops-webhook', types: ['webhook'] }], default: 'ops-webhook' } });
    }
    if (path.endsWith('/test')) {
      return of({
        data: {
          delivered: true,
          results: [{ contactPoint: 'ops-webhook', integration: 'ops-webhook', type: 'webhook', status: 'ok' }],
        },
      });
    }
    return of({ data: rules[0] ?? {} });
  });
  return sent;
}

describe('AlertRules', () => {
  jest.setTimeout(30000);
  beforeEach(() => backendFetch.mockReset());

  it('shows the seeds’ columns: categories, threshold, channels, status, last triggered and count', async () => {
    backend([rule()]);
    render(<AlertRules />);
    const row = await screen.findByTestId(testIds.alerts.row);
    expect(row).toHaveTextContent('Critical security events');
    expect(row).toHaveTextContent('AUTH, SECURITY');
    expect(row).toHaveTextContent('CRITICAL+');
    expect(row).toHaveTextContent('ops-webhook');
    expect(row).toHaveTextContent('Active');
    expect(row).toHaveTextContent('3');
    expect(row).toHaveTextContent('any event in 5 min');
  });

  it('pauses a rule with its Active switch and tests its channels', async () => {
    const sent = backend([rule()]);
    render(<AlertRules />);
    const row = await screen.findByTestId(testIds.alerts.row);
    fireEvent.click(within(row).getByLabelText('Pause Critical security events'));
    await waitFor(() =>
      expect(sent).toContainEqual(expect.objectContaining({ url: 'alerts/attest-1/active', data: { active: false } }))
    );
    fireEvent.click(within(row).getByTestId(testIds.alerts.test));
    expect(await screen.findByTestId(testIds.alerts.testResult)).toHaveTextContent('ops-webhook (webhook): ok');
  });

  it('refuses to save a rule without name, category or channel', async () => {
    const sent = backend([]);
    render(<AlertRules />);
    fireEvent.click(await screen.findByTestId(testIds.alerts.create));
    const form = await screen.findByTestId(testIds.alerts.form);
    fireEvent.click(within(form).getByTestId(testIds.alerts.save));
    expect(await within(form).findByText('A name is required')).toBeInTheDocument();
    expect(within(form).getByText('Pick at least one event category')).toBeInTheDocument();
    expect(within(form).getByText('Pick at least one contact point')).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });

  it('shows the backend’s reason when a save is refused', async () => {
    backend([rule()]);
    backendFetch.mockImplementation((req: Req) => {
      if (req.method === 'PUT') {
        return throwError(() => ({
          status: 400,
          data: { error: 'invalid_contactPoints', message: 'there is no contact point named "gone"' },
        }));
      }
      if (req.url.endsWith('contact-points')) {
        return of({ data: { contactPoints: [{ name: 'ops-webhook', types: ['webhook'] }], default: 'ops-webhook' } });
      }
      return of({ data: { rules: [rule()], starters: [], historyError: '' } });
    });
    render(<AlertRules />);
    fireEvent.click(await screen.findByTestId(testIds.alerts.edit));
    const form = await screen.findByTestId(testIds.alerts.form);
    fireEvent.click(within(form).getByTestId(testIds.alerts.save));
    expect(await within(form).findByText('there is no contact point named "gone"')).toBeInTheDocument();
  });

  it('enables a starter rule with one click', async () => {
    const sent = backend([], [rule({ uid: '', starter: 'audit-exported', name: 'Audit log exported', active: false })]);
    render(<AlertRules />);
    const card = await screen.findByTestId(testIds.alerts.starter);
    expect(card).toHaveTextContent('Audit log exported');
    fireEvent.click(within(card).getByText('Enable'));
    await waitFor(() =>
      expect(sent).toContainEqual(expect.objectContaining({ url: 'alert-starters/audit-exported', method: 'POST' }))
    );
  });
});
