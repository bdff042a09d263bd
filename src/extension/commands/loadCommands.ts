import type * as Deferred from '../lazy/commands';

export type DeferredCommandsModule = typeof Deferred;

/**
 * The command implementations and the dashboard panel are their own bundle (dist/commands.js,
 * entry lazy/commands.ts), required on the first command or panel: compiling them is most of what activation would otherwise cost
 * (test/bench/activation.bench.ts). Node caches the module, so this is its one instance.
 */
export function loadCommands(): DeferredCommandsModule {
  // esbuild leaves './commands.js' external, so this resolves next to dist/extension.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./commands.js') as DeferredCommandsModule;
}
