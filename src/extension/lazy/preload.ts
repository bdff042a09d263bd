/**
 * Requires the lazily loaded bundles (the display code, then the engine) in a later turn of the
 * event loop, off activation's own path: the extension activates when the user reaches for it
 * (its view, a command), so the first tree, status bar and search would otherwise wait for the
 * requires (test/bench/activation.bench.ts). A failure is left to the first real use, which
 * reports it. Dispose to cancel if it has not run yet.
 */
export function preload(...loads: (() => unknown)[]): { dispose(): void } {
  const timer = setTimeout(() => {
    for (const load of loads) {
      try {
        load();
      } catch {
        // reported by the first use that needs the bundle
      }
    }
  }, 0);
  return { dispose: () => clearTimeout(timer) };
}
