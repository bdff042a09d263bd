import * as vscode from 'vscode';
import type { ContextKeys } from '../constants';

export type ContextKey = (typeof ContextKeys)[keyof typeof ContextKeys];

const current = new Map<ContextKey, unknown>();

/**
 * Sets one of our context keys (constants.ts `ContextKeys`) for `when` clauses. Only a change is sent
 * to the workbench, so callers may call it on every load.
 */
export async function setContext(key: ContextKey, value: boolean | string | undefined): Promise<void> {
  if (current.has(key) && current.get(key) === value) return;
  current.set(key, value);
  await vscode.commands.executeCommand('setContext', key, value);
}
