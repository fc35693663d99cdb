import { useMemo } from 'react';

import { useAppContext } from 'app/AppContext';
import { type Page } from 'services/page';
import { type ViewerState } from 'services/urlState';

import { resolveRange, toNsRange } from 'components/shared/timeRange';
import { useLoader } from 'components/shared/useLoader';
import { useLiveTail } from './useLiveTail';

/**
 * The viewer's data: the page of events the URL state asks for, the total count, and in live mode the
 * events the server pushes after that page, newest first. `tick` changes to read again (Refresh).
 */
export function useEventPage(state: ViewerState, tick: number, paused: boolean) {
  const { api } = useAppContext();
  // "now" is resolved once per render key: filters, time range, refresh tick.
  const range = useMemo(
    () => toNsRange(resolveRange(state.from, state.live ? 'now' : state.to)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state.from, state.to, state.live, tick]
  );
  const cursor = state.live ? undefined : state.cursor;
  const filterKey = JSON.stringify([state.filters, range]);
  const page = useLoader<Page>(
    (signal) => api.events({ filters: state.filters, range, cursor, signal }),
    JSON.stringify([filterKey, cursor])
  );
  const count = useLoader<number>((signal) => api.count(state.filters, range, signal), filterKey);

  // Live: the newest page as of when it was read, then every event the server pushes from then on.
  const live = useLiveTail(api, Boolean(state.live), paused, state.filters, page.data ? range.endNs : undefined);
  const events = useMemo(() => {
    const read = page.data?.events ?? [];
    if (!state.live || live.events.length === 0) {
      return read;
    }
    const shown = new Set(live.events.map((e) => e.key));
    return [...live.events, ...read.filter((e) => !shown.has(e.key))];
  }, [page.data, state.live, live.events]);
  const single = state.filters.eventId !== '' ? events.find((e) => e.id === state.filters.eventId) : undefined;

  return { range, page, count, live, events, single };
}
