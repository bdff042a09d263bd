import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TemplateMarketplaceApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'template-marketplace.template-marketplace';

/** Activates the extension under test (as VS Code would on first use) and returns its API. */
export async function activate(): Promise<{ extension: vscode.Extension<TemplateMarketplaceApi>; api: TemplateMarketplaceApi }> {
  const extension = vscode.extensions.getExtension<TemplateMarketplaceApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
  const api = await extension.activate();
  return { extension, api };
}

/** The extension's globalStorage folder: VS Code puts it under the user-data dir the runner chose. */
export function globalStorageDir(): string {
  const userData = process.env.E2E_USER_DATA_DIR;
  assert.ok(userData, 'the runner passes E2E_USER_DATA_DIR');
  return `${userData}/User/globalStorage/${EXTENSION_ID}`;
}

export const SAMPLE_KEY = 'kzVHvmpJev/QzNvLxQlDrZvOltvkDRNnBrpE/4DISg8=';

/** Runs one of the extension's commands, as a menu or a test would, and returns what it returned. */
export function runCommand<T>(id: string, ...args: unknown[]): Thenable<T> {
  return vscode.commands.executeCommand<T>(`templateMarketplace.${id}`, ...args);
}

/**
 * Changes user settings and waits until the extension has reopened its engine with them (the
 * change is debounced): resolves with the new client. Bounded: rejects after `timeoutMs`.
 */
export async function withSettings(api: TemplateMarketplaceApi, change: () => Thenable<unknown> | Promise<unknown>, timeoutMs = 15_000): ReturnType<TemplateMarketplaceApi['client']> {
  const reopened = new Promise<Awaited<ReturnType<TemplateMarketplaceApi['client']>>>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`the engine was not reopened within ${timeoutMs} ms after a settings change`));
    }, timeoutMs);
    const sub = api.onDidChangeClient((client) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(client);
    });
  });
  await change();
  return reopened;
}

/** Sets (or with `undefined` clears) a user setting. */
export function setUserSetting(section: string, key: string, value: unknown): Thenable<void> {
  return vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
}

export function workspaceDir(): string {
  const dir = process.env.E2E_WORKSPACE;
  assert.ok(dir, 'the runner passes E2E_WORKSPACE');
  return dir;
}

/** Polls `check` every 100 ms until it holds; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Serves only `source` (the sample switched off), one settings change per reopen of the engine. */
export async function useOnlyMarketplace(api: TemplateMarketplaceApi, source: { id: string; url: string; publicKey: string; name: string }): ReturnType<TemplateMarketplaceApi['client']> {
  await api.client(); // settings changes reopen an engine that is in use
  // One change per reopen: two changes in one wait could reopen twice under a running command.
  await withSettings(api, () => setUserSetting('templateMarketplace', 'marketplaces', [source]));
  return withSettings(api, () => setUserSetting('templateMarketplace', 'includeSampleMarketplace', false));
}

/** Back to the default marketplaces, waiting until the engine serves the sample again, for the suites after this one. */
export async function restoreSampleMarketplace(api: TemplateMarketplaceApi): Promise<void> {
  await setUserSetting('templateMarketplace', 'marketplaces', undefined);
  await setUserSetting('templateMarketplace', 'includeSampleMarketplace', undefined);
  await waitUntil(async () => {
    const client = await api.client().catch(() => undefined);
    return JSON.stringify(client?.status().map((s) => s.id)) === '["samples"]';
  }, 'the engine serves the sample marketplace again');
}
