// Keeping the process alive while a caller awaits, and one 'exit' listener for every delivery
// processor (there may be one per tenant).

/**
 * Timers are unref()ed so an idle pipeline never holds the process open; while a caller awaits
 * flush, capacity or an acknowledgement, this keeps the process alive until the promise settles.
 */
export function keepAlive<T>(p: Promise<T>): Promise<T> {
  const handle = setInterval(() => undefined, 1 << 30);
  return p.finally(() => clearInterval(handle));
}

/** A sleep that does not hold the process open. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((r) => {
    setTimeout(r, ms).unref();
  });

const exitHooks = new Set<() => void>();
let exitListenerInstalled = false;

/** Runs `hook` synchronously when the process exits; returns the function that removes it. */
export function onProcessExit(hook: () => void): () => void {
  exitHooks.add(hook);
  if (!exitListenerInstalled) {
    exitListenerInstalled = true;
    process.once('exit', () => {
      for (const h of exitHooks) {
        h();
      }
    });
  }
  return () => exitHooks.delete(hook);
}
