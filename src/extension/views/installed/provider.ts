import { dirname, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { MarketplaceClient } from '../../../core';
import { Commands, ContextKeys } from '../../constants';
import { setContext } from '../context';
import { l10n } from '../../l10n';
import { describeError } from '../../log';
import type { Services } from '../../services';
import { loadDisplay } from '../../lazy/loadDisplay';
import type { FolderNode, FolderReport, InstalledMark, InstalledNode } from './model';
import { untrustedMarkdown } from '../../ui/markdown';

export const RECORD_FILE = '.template-marketplace.json';
/** Records looked at per workspace: a monorepo may hold many, a hostile one absurdly many. */
const MAX_RECORDS = 200;
/** Coalesces bursts: an install writes its files and the record together; a save-all saves many. */
const REFRESH_DEBOUNCE_MS = 300;

/**
 * The Installed Templates view: each folder of the workspace with a provenance record → each
 * template it records, with the engine's status → its modified and missing files. It loads once
 * the engine is open (the Marketplace tree's marks need it even while this view is collapsed), and
 * again when a record or a recorded file changes, after installs and updates, and when a catalog
 * changes. The model is pure (model.ts); this class only reads and maps.
 */
export class InstalledTreeProvider implements vscode.TreeDataProvider<InstalledNode>, vscode.Disposable {
  readonly #changed = new vscode.EventEmitter<InstalledNode | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #marksChanged = new vscode.EventEmitter<void>();
  /** Fires when the ref → state marks change (the Marketplace tree redraws). */
  readonly onDidChangeMarks = this.#marksChanged.event;

  readonly #disposables: vscode.Disposable[] = [];
  #folders: FolderNode[] | undefined;
  #marks = new Map<string, InstalledMark>();
  #marksKey = '';
  #loading: Promise<FolderNode[]> | undefined;
  #stale = true;
  #client: MarketplaceClient | undefined;
  #clientEvents: { dispose(): void } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #view: vscode.TreeView<InstalledNode> | undefined;
  #disposed = false;

  constructor(private readonly services: Services) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${RECORD_FILE}`);
    const onFile = (uri: vscode.Uri) => {
      if (this.#isTracked(uri)) this.refresh();
    };
    this.#disposables.push(
      this.#changed,
      this.#marksChanged,
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidChange(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      // Edits to recorded files change "locally modified" and "missing".
      vscode.workspace.onDidSaveTextDocument((doc) => onFile(doc.uri)),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach(onFile)),
      vscode.workspace.onDidCreateFiles((e) => e.files.forEach(onFile)),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => (onFile(f.oldUri), onFile(f.newUri)))),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
      services.host.onDidChangeClient((client) => {
        this.#watch(client);
        this.refresh();
      }),
      services.installs.onDidChange(() => this.refresh()),
      { dispose: () => this.#clientEvents?.dispose() },
      { dispose: () => clearTimeout(this.#timer) },
    );
    const current = services.host.current;
    if (current) {
      this.#watch(current);
      this.refresh();
    }
  }

  attach(view: vscode.TreeView<InstalledNode>): void {
    this.#view = view;
  }

  /** ref → how it stands in this workspace (empty until the first load). */
  mark(ref: string): InstalledMark | undefined {
    return this.#marks.get(ref);
  }

  get folders(): readonly FolderNode[] | undefined {
    return this.#folders;
  }

  /** Schedules a reload; bursts make one. */
  refresh(): void {
    if (this.#disposed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reload(), REFRESH_DEBOUNCE_MS);
  }

  /** Reloads now and resolves with the folders shown. */
  reload(): Promise<FolderNode[]> {
    clearTimeout(this.#timer);
    this.#stale = true;
    const loading = this.#ensureLoaded();
    void loading.then(() => this.#changed.fire(undefined));
    return loading;
  }

  #ensureLoaded(): Promise<FolderNode[]> {
    if (!this.#stale) return this.#loading ?? Promise.resolve(this.#folders ?? []);
    this.#stale = false;
    const next = (this.#loading ?? Promise.resolve([])).catch(() => []).then(() => this.#load());
    this.#loading = next;
    void next.finally(() => {
      if (this.#loading === next) this.#loading = undefined;
    });
    return next;
  }

  async #load(): Promise<FolderNode[]> {
    const started = performance.now();
    let folders: FolderNode[] = [];
    try {
      const client = await this.services.host.get();
      this.#watch(client);
      const dirs = await findRecordFolders();
      const reports: FolderReport[] = [];
      for (const dir of dirs) {
        try {
          const { entries } = await client.installedStatus(dir);
          reports.push({ dir, label: folderLabel(dir), entries });
        } catch (err) {
          this.services.log.warn(`Installed Templates: ${join(dir, RECORD_FILE)}: ${describeError(err)}`);
          reports.push({ dir, label: folderLabel(dir), problem: loadDisplay().errorMessage(err).message });
        }
      }
      const names = new Map((await client.list().catch(() => [])).map((t) => [t.ref, t.name]));
      folders = loadDisplay().buildInstalledTree(reports, names, new Set(client.status().map((st) => st.id)));
      if (this.#view) this.#view.message = undefined;
      this.services.log.debug(`Installed Templates: ${dirs.length} records in ${(performance.now() - started).toFixed(1)} ms`);
    } catch (err) {
      this.services.log.warn(`Installed Templates: ${describeError(err)}`);
      if (this.#view) this.#view.message = l10n.t('The installed templates could not be checked: {0}', loadDisplay().errorMessage(err).message);
    }
    if (this.#disposed) return [];
    this.#folders = folders;
    void setContext(ContextKeys.updatesAvailable, folders.some((f) => f.templates.some((t) => t.status.flags.updateAvailable)));
    const marks = loadDisplay().installedMarks(folders);
    const key = JSON.stringify([...marks].sort(([a], [b]) => a.localeCompare(b)));
    this.#marks = marks;
    if (key !== this.#marksKey) {
      this.#marksKey = key;
      this.#marksChanged.fire();
    }
    return folders;
  }

  /** Follows the current client's catalog changes: a new version makes "update available". */
  #watch(client: MarketplaceClient): void {
    if (client === this.#client) return;
    this.#clientEvents?.dispose();
    this.#client = client;
    this.#clientEvents = client.onDidChangeCatalogs(() => this.refresh());
  }

  /** Whether a file is one a record lists (its change changes "modified" or "missing"). */
  #isTracked(uri: vscode.Uri): boolean {
    if (uri.scheme !== 'file') return false;
    const path = uri.fsPath;
    return (this.#folders ?? []).some((f) => {
      if (!path.startsWith(f.dir + sep)) return false;
      const rel = relative(f.dir, path).split(sep).join('/');
      return f.templates.some((t) => t.entry.files.some((file) => file.path === rel));
    });
  }

  // ---- TreeDataProvider ----------------------------------------------------------------------

  async getChildren(node?: InstalledNode): Promise<InstalledNode[]> {
    if (!node) return this.#ensureLoaded();
    return loadDisplay().childrenOf(node);
  }

  getParent(node: InstalledNode): InstalledNode | undefined {
    return node.kind === 'folder' ? undefined : node.parent;
  }

  getTreeItem(node: InstalledNode): vscode.TreeItem {
    const p = loadDisplay().presentInstalled(node, { multipleFolders: (this.#folders?.length ?? 0) > 1 });
    const collapsible =
      p.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : p.collapsible === 'collapsed' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(p.label, collapsible);
    item.id = node.id;
    if (p.description !== undefined) item.description = p.description;
    item.iconPath = p.icon.color ? new vscode.ThemeIcon(p.icon.id, new vscode.ThemeColor(p.icon.color)) : new vscode.ThemeIcon(p.icon.id);
    item.contextValue = p.contextValue;
    item.accessibilityInformation = { label: p.a11yLabel };
    if (node.kind === 'file' && node.change === 'modified') {
      const uri = vscode.Uri.file(join(node.parent.parent.dir, ...node.path.split('/')));
      item.resourceUri = uri;
      item.command = { command: 'vscode.open', title: l10n.t('Open File'), arguments: [uri] };
    } else if (node.kind === 'folder' && node.problem !== undefined) {
      const uri = vscode.Uri.file(join(node.dir, RECORD_FILE));
      item.command = { command: 'vscode.open', title: l10n.t('Open File'), arguments: [uri] };
    } else if (node.kind === 'installed' && node.status.state !== 'not-in-catalog') {
      // Clicking shows the template in the Marketplace tree (it never updates: rows are not buttons).
      item.command = { command: Commands.revealInstalled, title: l10n.t('Show in Marketplace'), arguments: [node] };
    }
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, node: InstalledNode): vscode.TreeItem {
    const text = loadDisplay().installedTooltip(node, Date.now());
    if (text !== undefined) item.tooltip = untrustedMarkdown(text);
    return item;
  }

  dispose(): void {
    this.#disposed = true;
    for (const d of this.#disposables.splice(0)) d.dispose();
  }
}

/** The folders of the workspace that hold a record (local folders only: the engine reads through `fs`). */
async function findRecordFolders(): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(`**/${RECORD_FILE}`, '**/node_modules/**', MAX_RECORDS);
  return [...new Set(uris.filter((u) => u.scheme === 'file').map((u) => dirname(u.fsPath)))].sort();
}

/** A workspace folder by its name, a folder inside one by its workspace-relative path. */
function folderLabel(dir: string): string {
  const uri = vscode.Uri.file(dir);
  const root = vscode.workspace.getWorkspaceFolder(uri);
  if (root && root.uri.fsPath === uri.fsPath) return root.name;
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}
