import type * as Engine from '../../core';

/**
 * The engine is its own bundle (dist/engine.js), required on first use: undici and the rest of
 * the engine cost tens of milliseconds to load, and activation must not pay for them.
 * Extension code imports `../../core` for types only (enforced by eslint) and reaches the runtime here.
 */
export type EngineModule = typeof Engine;

let engine: EngineModule | undefined;

export function loadEngine(): EngineModule {
  // esbuild leaves './engine.js' external, so this resolves next to dist/extension.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (engine ??= require('./engine.js') as EngineModule);
}

/**
 * Requires the engine in a later turn of the event loop, off activation's own path: the
 * extension activates when the user reaches for it (its view, a command), so the first search
 * would otherwise wait for the require (test/bench/activation.bench.ts). A failure is left to
 * the first real use, which reports it. Dispose to cancel if it has not run yet.
 */
export function preloadEngine(): { dispose(): void } {
  const timer = setTimeout(() => {
    try {
      loadEngine();
    } catch {
      // reported by the first command that needs the engine
    }
  }, 0);
  return { dispose: () => clearTimeout(timer) };
}
