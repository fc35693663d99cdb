import { useEffect, useState } from 'react';

import { logger } from 'services/logger';

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  isLoading: boolean;
}

interface Settled<T> {
  key: string;
  data?: T;
  error?: unknown;
}

/**
 * Runs `load` whenever `key` changes and aborts the previous run. Errors are logged and returned, never
 * thrown. `key` must capture every input of `load`. While a new key loads, the previous data stays visible.
 */
export function useLoader<T>(load: ((signal: AbortSignal) => Promise<T>) | undefined, key: string): Loaded<T> {
  const [settled, setSettled] = useState<Settled<T>>({ key: '' });
  const enabled = load !== undefined;
  useEffect(() => {
    if (!load) {
      return;
    }
    const ctrl = new AbortController();
    load(ctrl.signal).then(
      (data) => !ctrl.signal.aborted && setSettled({ key, data }),
      (error) => {
        if (!ctrl.signal.aborted) {
          logger.error(error, { msg: 'query failed' });
          setSettled({ key, error });
        }
      }
    );
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, enabled]);
  if (!enabled) {
    return { isLoading: false };
  }
  const current = settled.key === key;
  return { data: settled.data, error: current ? settled.error : undefined, isLoading: !current };
}
