import type { Page } from 'playwright-core';

/** What a UI test gets: the page of a VS Code with the packaged extension installed, and helpers. */
export interface UiContext {
  page: Page;
  /** Saves `<artifacts>/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** The workspace folder this VS Code has open (a real folder on disk). */
  workspace: string;
  log(line: string): void;
  /**
   * Changes the user's settings.json as a person editing it would (VS Code applies it live);
   * `undefined` removes a key. Returns a function that puts the previous values back.
   */
  settings(patch: Record<string, unknown>): Promise<() => Promise<void>>;
}

export interface UiTest {
  name: string;
  fn: (ctx: UiContext) => Promise<void>;
  timeoutMs: number;
}

export const uiTests: UiTest[] = [];

/** Registers a scenario. Scenarios run in file order, in one VS Code window, one at a time. */
export function uiTest(name: string, fn: UiTest['fn'], timeoutMs = 90_000): void {
  uiTests.push({ name, fn, timeoutMs });
}
