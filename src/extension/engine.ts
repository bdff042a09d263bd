import * as vscode from 'vscode';
import { MarketplaceClient, sampleSource } from '../core';

/**
 * Opens the engine the extension's way: caches under the extension's global storage (shared by all
 * windows; the disk cache is safe for that) and the embedded sample marketplace as the source, so
 * it works offline on first start.
 */
export function openClient(context: vscode.ExtensionContext): Promise<MarketplaceClient> {
  const sample = vscode.Uri.joinPath(context.extensionUri, 'media', 'sample-marketplace').fsPath;
  return MarketplaceClient.open({
    sources: [sampleSource(sample)],
    cacheDir: context.globalStorageUri.fsPath,
  });
}
