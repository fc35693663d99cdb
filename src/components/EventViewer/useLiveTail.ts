import { useEffect, useRef, useState } from 'react';

import { type AuditEvent } from 'services/auditEvent';
import { type AuditFilters } from 'services/filters';
import { type AuditApi } from 'services/auditApi';
import { type TailMessage } from 'services/liveTail';

/** How many live events the viewer keeps on screen. */
export const LIVE_KEEP = 200;
/** Wait before opening the tail again after it ended or failed. */
const RECONNECT_MS = 1000;

export interface LiveTail {
  /** Newest first; what is shown. */
  events: AuditEvent[];
  /** Arrived while paused, not shown yet. */
  pending: number;
  connected: boolean;
  error?: Error;
  /** Entries Loki dropped from the live view (not from the trail). */
  dropped: number;
}

const newestFirst = (a: AuditEvent, b: AuditEvent) =>
  a.tsNs === b.tsNs ? (a.key < b.key ? 1 : -1) : BigInt(a.tsNs) > BigInt(b.tsNs) ? -1 : 1;

function merge(into: AuditEvent[], add: AuditEvent[]): AuditEvent[] {
  const seen = new Set(into.map((e) => e.key));
  const fresh = add.filter((e) => !seen.has(e.key));
  return fresh.length === 0 ? into : [...fresh, ...into].sort(newestFirst).slice(0, LIVE_KEEP);
}

/**
 * Follows the filters from fromNs while enabled: the server pushes each new event (events/tail).
 * While paused, new events are counted and held; resuming shows them.
 */
export function useLiveTail(
  api: AuditApi,
  enabled: boolean,
  paused: boolean,
  filters: AuditFilters,
  fromNs: string | undefined
): LiveTail {
  const [state, setState] = useState<LiveTail>({ events: [], pending: 0, connected: false, dropped: 0 });
  const held = useRef<AuditEvent[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const filterKey = JSON.stringify(filters);

  useEffect(() => {
    if (!paused && held.current.length > 0) {
      const add = held.current;
      held.current = [];
      setState((s) => ({ ...s, events: merge(s.events, add), pending: 0 }));
    }
  }, [paused]);

  useEffect(() => {
    const tail = api.tail;
    if (!enabled || fromNs === undefined || !tail) {
      return;
    }
    held.current = [];
    setState({ events: [], pending: 0, connected: false, dropped: 0 });
    const ctrl = new AbortController();
    let from = fromNs;
    const onMessage = (m: TailMessage) => {
      if (m.type === 'open') {
        setState((s) => ({ ...s, connected: true, error: undefined }));
      }
      if (m.type === 'error') {
        setState((s) => ({ ...s, connected: false, error: new Error(m.message ?? 'the live tail failed') }));
      }
      const events = m.events ?? [];
      if (events.length > 0) {
        const last = events[events.length - 1].tsNs;
        from = (BigInt(last) + BigInt(1)).toString();
      }
      if (events.length === 0 && !m.dropped) {
        return;
      }
      if (pausedRef.current) {
        held.current = merge(held.current, events);
        const pending = held.current.length;
        setState((s) => ({ ...s, pending, dropped: s.dropped + (m.dropped ?? 0) }));
      } else {
        setState((s) => ({ ...s, events: merge(s.events, events), dropped: s.dropped + (m.dropped ?? 0) }));
      }
    };
    (async () => {
      while (!ctrl.signal.aborted) {
        try {
          await tail(filters, from, onMessage, ctrl.signal);
          setState((s) => ({ ...s, connected: false }));
        } catch (err) {
          if (ctrl.signal.aborted) {
            return;
          }
          setState((s) => ({ ...s, connected: false, error: err instanceof Error ? err : new Error(String(err)) }));
        }
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    })();
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, enabled, filterKey, fromNs]);

  return state;
}
