import * as vscode from 'vscode';
import type { MarketplaceClientOptions } from '../../core';
import { loadEngine } from '../client/loadEngine';

/**
 * Settings → engine options. The disk tier and the trust file live under the extension's
 * globalStorageUri (shared by every window; the disk cache is safe for that).
 */
export function buildOptions(context: vscode.ExtensionContext): () => Promise<MarketplaceClientOptions> {
  return async () => {
    const { sampleSource } = loadEngine();
    const sample = vscode.Uri.joinPath(context.extensionUri, 'media', 'sample-marketplace').fsPath;
    return {
      sources: [sampleSource(sample)],
      cacheDir: context.globalStorageUri.fsPath,
    };
  };
}
