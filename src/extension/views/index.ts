import * as vscode from 'vscode';
import { ContextKeys, Views } from '../constants';
import type { Services } from '../services';
import { setContext } from './context';
import { isFiltered } from './filter';
import type { MarketplaceNode } from './nodes';
import { TemplatesTreeProvider } from './provider';
import type { InstalledTreeProvider } from './installed/provider';

export type { MarketplaceNode, SourceNode, CategoryNode, TemplateNode, MessageNode } from './nodes';
export { templateRefOf, isTemplateNode } from './nodes';
export { TemplatesTreeProvider } from './provider';

/**
 * What the extension API exposes of the tree for extension-host tests: the same nodes and items
 * the view gets, e.g. marketplaces → categories → templates via `getChildren`.
 */
export interface TemplatesTreeApi {
  getChildren(node?: MarketplaceNode): Promise<MarketplaceNode[]>;
  getTreeItem(node: MarketplaceNode): vscode.TreeItem;
  getParent(node: MarketplaceNode): MarketplaceNode | undefined;
  /** Selects a template's row; false when it is not shown (filtered out, unknown). */
  reveal(ref: string): Promise<boolean>;
}

/**
 * The Marketplace view's tree. The composition root pushes `disposables` into `context.subscriptions`;
 * the view's commands (views/commands.ts) are in the deferred bundle and get `provider` from it.
 */
export function createTemplatesView(
  services: Services,
  installed?: InstalledTreeProvider,
): { disposables: vscode.Disposable[]; provider: TemplatesTreeProvider } {
  const provider = new TemplatesTreeProvider(services, installed);
  const view = vscode.window.createTreeView(Views.templates, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  provider.attach(view);
  // Start from known key values: the welcome view and Clear Filter show only when they apply.
  void setContext(ContextKeys.filtered, isFiltered(provider.filter));
  void setContext(ContextKeys.loadFailed, false);
  return {
    disposables: [provider, view],
    provider,
  };
}

export function treeApi(provider: TemplatesTreeProvider): TemplatesTreeApi {
  return {
    getChildren: (node) => provider.getChildren(node),
    // With the tooltip resolved, as a hover shows it.
    getTreeItem: (node) => provider.resolveTreeItem(provider.getTreeItem(node), node),
    getParent: (node) => provider.getParent(node),
    reveal: (ref) => provider.reveal(ref),
  };
}
