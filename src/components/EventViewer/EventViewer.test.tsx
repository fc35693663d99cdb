import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';

import { type TailMessage } from 'services/liveTail';
import { encodeCursor } from 'services/page';
import { testIds } from 'services/testIds';

import { anEvent, callsTo, serveBackend } from 'test/backend';
import { lastLocation, renderWithApp } from 'test/renderWithApp';
import { EventViewer } from './EventViewer';

jest.mock('@grafana/runtime', () => require('test/runtimeMock'));

const base = BigInt(Date.now() - 3_600_000) * BigInt(1_000_000);
function events(n: number) {
  return Array.from({ length: n }, (_, i) =>
    anEvent({
      tsNs: (base - BigInt(i) * BigInt(1_000_000_000)).toString(),
      description: i === 0 ? 'Hardware #142 assigned to Bob' : `Event number ${i}`,
      service: 'asset-registry',
      category: i === 1 ? 'SYSTEM' : 'DATA_MODIFY',
      severity: i === 2 ? 'ERROR' : 'INFO',
      id: `id-${String(1000 - i)}`,
      eventType: i === 0 ? 'hardware.updated' : i === 1 ? 'system.retention.pruned' : 'hardware.created',
      action: i === 0 ? 'update' : i === 1 ? 'delete' : 'create',
      actorType: i === 1 ? 'system' : 'user',
      actorName: i === 1 ? 'System' : 'Alice Martin',
      actorEmail: i === 1 ? '' : 'alice@acme.example',
      actorRoles: ['admin', 'auditor'],
      targetType: 'hardware',
      targetId: `har-${i}`,
      clientAddress: '10.0.0.1',
      compliance: ['SOX', 'ISO27001'],
      changes:
        i === 0
          ? '{"before":{"assignee":null,"status":"in_stock"},"after":{"assignee":"bob","status":"in_stock"}}'
          : '{oops',
      metadata: '{"page":"/admin"}',
      chainId: 'chain-1',
      chainSeq: String(100 - i),
      traceId: 'abc123',
    })
  );
}

/** The backend's events and events/count routes over `total` events, newest first, 25 a page. */
function backend(total = 30) {
  const all = events(total);
  return serveBackend({
    'events/count': () => ({ total }),
    events: (p) => {
      const cursor = p.cursor ? { tsNs: p.cursor.slice(1) } : undefined;
      const older = cursor ? all.filter((e) => BigInt(e.tsNs) < BigInt(cursor.tsNs)) : all;
      const size = Number(p.pageSize ?? 25);
      const page = older.slice(0, size);
      const more = older.length > size;
      return {
        events: page,
        older: more ? encodeCursor({ dir: 'older', tsNs: page[page.length - 1].tsNs }) : undefined,
        newer: cursor ? encodeCursor({ dir: 'newer', tsNs: page[0].tsNs }) : undefined,
        query: '{service_name=~".+"}',
      };
    },
  });
}

describe('EventViewer', () => {
  beforeEach(() => jest.clearAllMocks());

  it('shows the newest 25 events with badges, subject and the total count', async () => {
    const fetch = backend();
    renderWithApp(<EventViewer />, { url: '/events' });
    expect(await screen.findByText('Hardware #142 assigned to Bob')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.viewer.total)).toHaveTextContent('30 events match');
    const table = screen.getByTestId(testIds.viewer.table);
    expect(within(table).getAllByRole('row')).toHaveLength(26); // header + 25
    expect(within(table).getByText('hardware.updated')).toBeInTheDocument();
    expect(within(table).getByText('System', { selector: 'span *, span' })).toBeInTheDocument();
    expect(within(table).getByText('hardware #har-0')).toBeInTheDocument();
    const [q] = callsTo(fetch, 'events');
    // No filter and the backend's own page size (25).
    expect(Object.keys(q).sort()).toEqual(['from', 'to']);
  });

  it('pages to older events with a cursor kept in the URL', async () => {
    backend();
    renderWithApp(<EventViewer />, { url: '/events' });
    await screen.findByText('Hardware #142 assigned to Bob');
    fireEvent.click(screen.getByTestId(testIds.viewer.next));
    expect(await screen.findByText('Event number 25')).toBeInTheDocument();
    expect(lastLocation.search).toMatch(/cursor=o\d+/);
    expect(screen.queryByText('Hardware #142 assigned to Bob')).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.viewer.first));
    expect(await screen.findByText('Hardware #142 assigned to Bob')).toBeInTheDocument();
  });

  it('reads filters from the URL and writes new ones back', async () => {
    const fetch = backend();
    renderWithApp(<EventViewer />, { url: '/events?category=AUTH&severity=ERROR&q=x%22y' });
    await waitFor(() => expect(callsTo(fetch, 'events')).toHaveLength(1));
    expect(callsTo(fetch, 'events')[0]).toMatchObject({ category: 'AUTH', severity: 'ERROR', search: 'x"y' });
    const search = screen.getByTestId(testIds.viewer.search);
    fireEvent.change(search, { target: { value: 'assigned' } });
    fireEvent.keyDown(search, { key: 'Enter' });
    await waitFor(() => expect(lastLocation.search).toContain('q=assigned'));
    expect(lastLocation.search).toContain('category=AUTH');
    fireEvent.click(screen.getByTestId(testIds.viewer.clear));
    await waitFor(() => expect(lastLocation.search).toEqual(''));
  });

  it('expands a row: ids, roles, compliance, highlighted changes, raw text for bad JSON', async () => {
    backend();
    renderWithApp(<EventViewer />, { url: '/events', settings: { tracesDatasourceUid: 'tempo' } });
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
    backend(0);
    renderWithApp(<EventViewer />, { url: '/events' });
    expect(await screen.findByTestId(testIds.viewer.empty)).toHaveTextContent(/mapped to their tenant/);
  });

  it('shows query errors', async () => {
    const unreachable = () => {
      throw { status: 502, data: { error: 'loki_unavailable', message: 'the audit store (Loki) cannot be reached' } };
    };
    serveBackend({ events: unreachable, 'events/count': unreachable });
    renderWithApp(<EventViewer />, { url: '/events' });
    expect(await screen.findByTestId(testIds.viewer.error)).toHaveTextContent(
      'the audit store (Loki) cannot be reached'
    );
  });

  it('live: shows what the server pushes without reloading; paused, it counts new events and shows them on resume', async () => {
    const fetch = backend();
    let push: ((m: TailMessage) => void) | undefined;
    const tail = jest.fn((_f: unknown, _from: string, onMessage: (m: TailMessage) => void, signal: AbortSignal) => {
      push = onMessage;
      onMessage({ type: 'open' });
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    });
    renderWithApp(<EventViewer />, { url: '/events?live=1&service=asset-registry', extend: { tail } });
    await waitFor(() => expect(tail).toHaveBeenCalled());
    expect(tail.mock.calls[0][0]).toMatchObject({ service: 'asset-registry' });
    const reads = fetch.mock.calls.length;
    const pushed = (n: number) => {
      const ts = (BigInt(Date.now()) * BigInt(1_000_000) + BigInt(n)).toString();
      return anEvent({ tsNs: ts, description: `pushed ${n}`, service: 'asset-registry', id: `live-${n}` });
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
    // Nothing was read again from the backend for it.
    expect(fetch.mock.calls.length).toBe(reads);
  });
});
