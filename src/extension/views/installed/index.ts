import * as vscode from 'vscode';
import { Views } from '../../constants';
import type { Services } from '../../services';
import type { InstalledNode } from './model';
import { InstalledTreeProvider } from './provider';

export type { InstalledNode, FolderNode, InstalledTemplateNode, ChangedFileNode, InstalledMark } from './model';
export { InstalledTreeProvider } from './provider';

/** What the extension API exposes of the Installed Templates view for extension-host tests. */
export interface InstalledTreeApi {
  getChildren(node?: InstalledNode): Promise<InstalledNode[]>;
  getTreeItem(node: InstalledNode): vscode.TreeItem;
  /** Reloads now (as the view's Refresh does) and resolves once the view shows the result. */
  refresh(): Promise<void>;
}

/** The Installed Templates view; the composition root registers `disposables`. */
export function createInstalledView(services: Services): { disposables: vscode.Disposable[]; provider: InstalledTreeProvider } {
  const provider = new InstalledTreeProvider(services);
  const view = vscode.window.createTreeView(Views.installed, { treeDataProvider: provider, showCollapseAll: true });
  provider.attach(view);
  return { disposables: [provider, view], provider };
}

export function installedApi(provider: InstalledTreeProvider): InstalledTreeApi {
  return {
    getChildren: (node) => provider.getChildren(node),
    getTreeItem: (node) => provider.resolveTreeItem(provider.getTreeItem(node), node),
    refresh: async () => void (await provider.reload()),
  };
}
