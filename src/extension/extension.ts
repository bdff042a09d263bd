import type * as vscode from 'vscode';
import type { MarketplaceClient } from '../core';
import { openClient } from './engine';

/**
 * Activation. The engine is opened on first use, not at activation, so that starting VS Code never
 * waits on the disk cache; it is closed with the extension through `context.subscriptions`.
 */
export function activate(context: vscode.ExtensionContext): { client(): Promise<MarketplaceClient> } {
  let client: Promise<MarketplaceClient> | undefined;
  context.subscriptions.push({
    dispose: () => {
      void client?.then((c) => c.close());
    },
  });
  return {
    client: () => (client ??= openClient(context)),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
