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
