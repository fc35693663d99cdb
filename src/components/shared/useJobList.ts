import { useEffect, useState } from 'react';

import { type Loaded, useLoader } from './useLoader';

/** While a job in the list is pending or running, the list is read again this often. */
export const POLL_MS = 2000;

/**
 * A list of server-side jobs (exports, verifications), read again every POLL_MS while one is still
 * active. `act` runs an action on them, keeps its error, and reads the list again.
 */
export function useJobList<T>(
  load: (signal: AbortSignal) => Promise<T[]>,
  isActive: (job: T) => boolean
): Loaded<T[]> & { act: (fn: () => Promise<unknown>) => Promise<void>; actionError: unknown } {
  const [tick, setTick] = useState(0);
  const [actionError, setActionError] = useState<unknown>();
  const list = useLoader<T[]>(load, String(tick));
  const active = list.data?.some(isActive) ?? false;

  useEffect(() => {
    if (!active) {
      return;
    }
    const id = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(id);
  }, [active, list.data]);

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      setActionError(undefined);
    } catch (e) {
      setActionError(e);
    }
    setTick((n) => n + 1);
  };
  return { ...list, act, actionError };
}
