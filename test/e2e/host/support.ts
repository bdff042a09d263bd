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
