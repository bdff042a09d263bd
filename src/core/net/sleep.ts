/**
 * Waits `ms`, or rejects with the abort reason as soon as any of `signals` aborts.
 * Listeners are removed either way, so long-lived signals do not accumulate them.
 */
export function sleep(ms: number, signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  const watched = signals.filter((s): s is AbortSignal => s !== undefined);
  return new Promise<void>((resolve, reject) => {
    const alreadyAborted = watched.find((s) => s.aborted);
    if (alreadyAborted) {
      reject(alreadyAborted.reason);
      return;
    }
    const stopWatching = (): void => {
      for (const s of watched) s.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      stopWatching();
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      stopWatching();
      reject(watched.find((s) => s.aborted)?.reason);
    };
    for (const s of watched) s.addEventListener('abort', onAbort, { once: true });
  });
}
