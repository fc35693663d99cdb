import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';

import { toAuditEvent } from 'services/auditEvent';
import { type TailMessage } from 'services/liveTail';
import { type LokiTransport } from 'services/lokiTransport';
import { testIds } from 'services/testIds';

import { lastLocation, renderWithApp, streams, vector } from 'test/renderWithApp';
import { EventViewer } from './EventViewer';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));

const base = BigInt(Date.now() - 3_600_000) * BigInt(1_000_000);
function entries(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    ts: (base - BigInt(i) * BigInt(1_000_000_000)).toString(),
    line: i === 0 ? 'Hardware #142 assigned to Bob' : `Event number ${i}`,
    labels: {
      service_name: 'asset-registry',
      audit_category: i === 1 ? 'SYSTEM' : 'DATA_MODIFY',
      severity_text: i === 2 ? 'ERROR' : 'INFO',
    },
    md: {
      audit_id: `id-${String(1000 - i)}`,
      audit_event: i === 0 ? 'hardware.updated' : i === 1 ? 'system.retention.pruned' : 'hardware.created',
      audit_action: i === 0 ? 'update' : i === 1 ? 'delete' : 'create',
      audit_actor_type: i === 1 ? 'system' : 'user',
      user_name: i === 1 ? 'System' : 'Alice Martin',
      user_email: i === 1 ? '' : 'alice@acme.example',
      user_roles: 'admin,auditor',
      audit_target_type: 'hardware',
      audit_target_id: `har-${i}`,
      client_address: '10.0.0.1',
      audit_compliance: 'SOX,ISO27001',
      audit_changes:
        i === 0
          ? '{"before":{"assignee":null,"status":"in_stock"},"after":{"assignee":"bob","status":"in_stock"}}'
          : '{oops',
      audit_metadata: '{"page":"/admin"}',
      audit_chain_id: 'chain-1',
      audit_chain_seq: String(100 - i),
      trace_id: 'abc123',
    },
  }));
}

function fakeTransport(total = 30): LokiTransport & { get: jest.Mock } {
  const all = entries(total);
  return {
    get: jest.fn(async (path: string, params: Record<string, string>) => {
      if (path === 'query') {
        return vector([[{}, total]]);
      }
      const end = BigInt(params.end);
      const inRange = all.filter((e) => BigInt(e.ts) < end && BigInt(e.ts) >= BigInt(params.start));
      return streams(inRange.slice(0, Number(params.limit)));
    }),
  };
}

describe('EventViewer', () => {
  beforeEach(() => jest.clearAllMocks());

  it('shows the newest 25 events with badges, subject and the total count', async () => {
    const transport = fakeTransport();
    renderWithApp(<EventViewer />, { url: '/events', transport });
    expect(await screen.findByText('Hardware #142 assigned to Bob')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.viewer.total)).toHaveTextContent('30 events match');
    const table = screen.getByTestId(testIds.viewer.table);
    expect(within(table).getAllByRole('row')).toHaveLength(26); // header + 25
    expect(within(table).getByText('hardware.updated')).toBeInTheDocument();
    expect(within(table).getByText('System', { selector: 'span *, span' })).toBeInTheDocument();
    expect(within(table).getByText('hardware #har-0')).toBeInTheDocument();
    const q = transport.get.mock.calls.find((c) => c[0] === 'query_range')![1];
    expect(q).toMatchObject({ query: '{service_name=~".+"}', limit: '26', direction: 'backward' });
  });

  it('pages to older events with a cursor kept in the URL', async () => {
    renderWithApp(<EventViewer />, { url: '/events', transport: fakeTransport() });
    await screen.findByText('Hardware #142 assigned to Bob');
    fireEvent.click(screen.getByTestId(testIds.viewer.next));
    expect(await screen.findByText('Event number 25')).toBeInTheDocument();
    expect(lastLocation.search).toMatch(/cursor=o\d+/);
    expect(screen.queryByText('Hardware #142 assigned to Bob')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.viewer.first));
    expect(await screen.findByText('Hardware #142 assigned to Bob')).toBeInTheDocument();
  });

  it('reads filters from the URL and writes new ones back', async () => {
    const transport = fakeTransport();
    renderWithApp(<EventViewer />, { url: '/events?category=AUTH&severity=ERROR&q=x%22y', transport });
    await waitFor(() => expect(transport.get).toHaveBeenCalled());
    const q = transport.get.mock.calls.find((c) => c[0] === 'query_range')![1].query;
    expect(q).toContain('audit_category="AUTH"');
    expect(q).toContain('severity_text="ERROR"');
    expect(q).toContain('x\\"y');
    const search = screen.getByTestId(testIds.viewer.search);
    fireEvent.change(search, { target: { value: 'assigned' } });
    fireEvent.keyDown(search, { key: 'Enter' });
    await waitFor(() => expect(lastLocation.search).toContain('q=assigned'));
    expect(lastLocation.search).toContain('category=AUTH');
    fireEvent.click(screen.getByTestId(testIds.viewer.clear));
    await waitFor(() => expect(lastLocation.search).toEqual(''));
  });

  it('expands a row: ids, roles, compliance, highlighted changes, raw text for bad JSON', async () => {
    renderWithApp(<EventViewer />, {
      url: '/events',
      transport: fakeTransport(),
      settings: { tracesDatasourceUid: 'tempo' },
    });
    await screen.findByText('Hardware #142 assigned to Bob');
    // InteractiveTable's expander buttons ("Toggle row expanded"); querying by role is slow on a 25-row table.
    const expanders = Array.from(
      screen.getByTestId(testIds.viewer.table).querySelectorAll('button[aria-label="Toggle row expanded"]')
    );
    fireEvent.click(expanders[0]);
    const details = await screen.findByTestId(testIds.viewer.details);
    expect(within(details).getByText('id-1000')).toBeInTheDocument();
    expect(within(details).getByText('auditor')).toBeInTheDocument();
    expect(within(details).getByText('SOX')).toBeInTheDocument();
    expect(within(details).getByRole('link', { name: 'abc123' })).toHaveAttribute(
      'href',
      expect.stringContaining('/explore')
    );
    const changed = details.querySelectorAll('[data-changed="true"]');
    expect(changed).toHaveLength(2); // assignee before + after; status unchanged
    expect(changed[1]).toHaveTextContent('"assignee": "bob"');
    fireEvent.click(expanders[1]);
    await waitFor(() => expect(screen.getAllByTestId(testIds.viewer.details)).toHaveLength(2));
    expect(screen.getByText('{oops')).toBeInTheDocument();
  });

  it('shows an empty state that says what to check', async () => {
    renderWithApp(<EventViewer />, { url: '/events', transport: fakeTransport(0) });
    expect(await screen.findByTestId(testIds.viewer.empty)).toHaveTextContent(/mapped to their tenant/);
  });

  it('shows query errors', async () => {
    const transport = { get: jest.fn().mockRejectedValue(new Error('HTTP 502 bad gateway')) };
    renderWithApp(<EventViewer />, { url: '/events', transport });
    expect(await screen.findByTestId(testIds.viewer.error)).toHaveTextContent('HTTP 502 bad gateway');
  });

  it('live: shows what the server pushes without reloading; paused, it counts new events and shows them on resume', async () => {
    const transport = fakeTransport();
    let push: ((m: TailMessage) => void) | undefined;
    const tail = jest.fn((_f: unknown, _from: string, onMessage: (m: TailMessage) => void, signal: AbortSignal) => {
      push = onMessage;
      onMessage({ type: 'open' });
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    });
    renderWithApp(<EventViewer />, { url: '/events?live=1&service=asset-registry', transport, extend: { tail } });
    await waitFor(() => expect(tail).toHaveBeenCalled());
    expect(tail.mock.calls[0][0]).toMatchObject({ service: 'asset-registry' });
    const reads = transport.get.mock.calls.length;
    const pushed = (n: number) => {
      const ts = (BigInt(Date.now()) * BigInt(1_000_000) + BigInt(n)).toString();
      return toAuditEvent(ts, `pushed ${n}`, { service_name: 'asset-registry', audit_id: `live-${n}` });
    };
    act(() => push!({ type: 'events', events: [pushed(1)] }));
    expect(await screen.findByText('pushed 1')).toBeInTheDocument();

    fireEvent.click(screen.getByTestId(testIds.viewer.pause));
    act(() => push!({ type: 'events', events: [pushed(2), pushed(3)] }));
    expect(await screen.findByTestId(testIds.viewer.paused)).toHaveTextContent('2 new while paused');
    expect(screen.queryByText('pushed 2')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.viewer.pause));
    expect(await screen.findByText('pushed 3')).toBeInTheDocument();
    expect(screen.getByText('pushed 2')).toBeInTheDocument();
    // Nothing was read again from Loki for it.
    expect(transport.get.mock.calls.length).toBe(reads);
  });
});
