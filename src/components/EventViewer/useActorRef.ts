import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';

import { getResource } from 'services/backendApi';
import { DEFAULT_TIME_RANGE } from '../../constants';
import { resolveRange, toNsRange } from 'components/shared/timeRange';

/**
 * A per-actor alert links here with `actorRef` (its labels name actors by an opaque reference, since
 * every Viewer can list alerts): the backend resolves it for readers of the trail, and the viewer
 * filters on the actor instead. Answers whether the reference is still being resolved, and why not.
 */
export function useActorRef(): { resolving: boolean; error?: unknown } {
  const [params, setParams] = useSearchParams();
  const ref = params.get('actorRef');
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!ref) {
      return;
    }
    const { startNs: from, endNs: to } = toNsRange(
      resolveRange(params.get('from') ?? DEFAULT_TIME_RANGE.from, params.get('to') ?? DEFAULT_TIME_RANGE.to)
    );
    getResource<{ actorId: string; actorEmail: string }>('actors/resolve', { ref, from, to }).then(
      (a) => {
        const next = new URLSearchParams(params);
        next.delete('actorRef');
        next.set('actor', a.actorEmail || a.actorId);
        setParams(next, { replace: true });
      },
      (e) => setError(e)
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ref]);
  return { resolving: Boolean(ref) && !error, error };
}
