import type * as Display from './display';

export type DisplayModule = typeof Display;

let display: DisplayModule | undefined;

/**
 * The display code and the settings parser are their own bundle (dist/display.js, entry
 * lazy/display.ts), required the first time a view, the status bar or an engine open needs them.
 * Call it where the value is used, never at a module's top level: an import of these modules from
 * anything activation loads would put them back into dist/extension.js.
 */
export function loadDisplay(): DisplayModule {
  // esbuild leaves './display.js' external, so this resolves next to dist/extension.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (display ??= require('./display.js') as DisplayModule);
}
