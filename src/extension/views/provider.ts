import * as vscode from 'vscode';
import type { MarketplaceClient } from '../../core';
import { loadEngine } from '../client/loadEngine';
import { Commands, ContextKeys } from '../constants';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { Services } from '../services';
import { setContext } from './context';
import { loadDisplay } from '../lazy/loadDisplay';
import { isFiltered, NO_FILTER, sameFilter, TREE_SORTS, type TreeFilter, type TreeSort } from './filter';
import type { TreeSnapshot } from './model';
import type { MarketplaceNode, TemplateNode } from './nodes';
import type { PresentContext } from './present';
import type { InstalledTreeProvider } from './installed/provider';
import { untrustedMarkdown } from '../ui/markdown';

/** Coalesces bursts (a rebuild fires client and catalog events together; verify records in batches). */
const REFRESH_DEBOUNCE_MS = 150;
/** Ages ("cached 3 h ago") and source states drift; a view shown again after this long reloads. */
const RELOAD_WHEN_SHOWN_AFTER_MS = 60_000;
const SORT_KEY = 'templateMarketplace.views.templates.sort';
/** A new filter opens this many matching categories, so that matches show without a click. */
const EXPAND_ON_FILTER = 8;

export type RefreshReason = 'manual' | 'catalogs' | 'client' | 'filter' | 'visible';

/**
 * The Marketplace tree: marketplaces → categories → templates. Data comes from the engine's index
 * in one search per load (lazily, when VS Code asks for the root, so nothing loads while the view is
 * hidden); children are cut from that snapshot on expand without awaiting anything. Metrics are
 * never listened to: a cache hit must not redraw the tree.
 */
export class TemplatesTreeProvider implements vscode.TreeDataProvider<MarketplaceNode>, vscode.Disposable {
  readonly #changed = new vscode.EventEmitter<MarketplaceNode | MarketplaceNode[] | undefined>();
  readonly onDidChangeTreeData = this.#changed.event;
  readonly #loaded = new vscode.EventEmitter<TreeSnapshot | undefined>();
  /** Fires after every load (undefined when nothing could be loaded). */
  readonly onDidLoad = this.#loaded.event;

  readonly #disposables: vscode.Disposable[] = [];
  #view: vscode.TreeView<MarketplaceNode> | undefined;
  #snapshot: TreeSnapshot | undefined;
  #loadedAt = 0;
  #stale = true;
  #loading: Promise<TreeSnapshot | undefined> | undefined;
  #filter: TreeFilter = NO_FILTER;
  #sort: TreeSort;
  #client: MarketplaceClient | undefined;
  #clientEvents: { dispose(): void } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #reasons = new Set<RefreshReason>();
  #disposed = false;

  constructor(
    private readonly services: Services,
    /** Installed-state marks (the Installed Templates view's model); the tree redraws when they change. */
    private readonly installed?: InstalledTreeProvider,
  ) {
    const saved = services.context.globalState.get<string>(SORT_KEY);
    this.#sort = TREE_SORTS.includes(saved as TreeSort) ? (saved as TreeSort) : 'downloads';
    this.#disposables.push(
      this.#changed,
      this.#loaded,
      services.host.onDidChangeClient((client) => {
        if (client !== this.#client) this.refresh('client');
      }),
      // A rebuild that failed leaves nothing to show: reload, so the welcome view explains why.
      services.host.onDidFailToOpen(() => {
        if (this.#snapshot) this.refresh('client');
      }),
      services.verification.onDidChange((refs) => this.#redrawTemplates(refs)),
      ...(installed ? [installed.onDidChangeMarks(() => this.#changed.fire(undefined))] : []),
      { dispose: () => this.#clientEvents?.dispose() },
      { dispose: () => clearTimeout(this.#timer) },
    );
  }

  /** The view shows the active filter and reloads when shown again after a while. */
  attach(view: vscode.TreeView<MarketplaceNode>): void {
    this.#view = view;
    this.#disposables.push(
      view.onDidChangeVisibility((e) => {
        if (e.visible && this.#snapshot && Date.now() - this.#loadedAt > RELOAD_WHEN_SHOWN_AFTER_MS) this.refresh('visible');
      }),
    );
    this.#updateViewText();
  }

  get view(): vscode.TreeView<MarketplaceNode> | undefined {
    return this.#view;
  }

  get snapshot(): TreeSnapshot | undefined {
    return this.#snapshot;
  }

  get filter(): TreeFilter {
    return this.#filter;
  }

  get sort(): TreeSort {
    return this.#sort;
  }

  /** Shows only matching templates (or all, with `NO_FILTER`); reloads at once. */
  async setFilter(filter: TreeFilter): Promise<TreeSnapshot | undefined> {
    if (sameFilter(filter, this.#filter) && this.#snapshot) return this.#snapshot;
    this.#filter = filter;
    await setContext(ContextKeys.filtered, isFiltered(filter));
    const snapshot = await this.reload();
    if (snapshot?.filtered) await this.#expandMatches(snapshot);
    return snapshot;
  }

  /** Opens the first categories with matches (and their marketplaces); the user asked to see them. */
  async #expandMatches(snapshot: TreeSnapshot): Promise<void> {
    const view = this.#view;
    if (!view?.visible) return;
    for (const category of snapshot.categories().slice(0, EXPAND_ON_FILTER)) {
      if (this.#snapshot !== snapshot) return;
      await Promise.resolve(view.reveal(category, { select: false, focus: false, expand: true })).catch((err: unknown) =>
        this.services.log.debug(`Marketplace view: could not expand ${category.id}: ${describeError(err)}`),
      );
    }
  }

  async setSort(sort: TreeSort): Promise<TreeSnapshot | undefined> {
    this.#sort = sort;
    await this.services.context.globalState.update(SORT_KEY, sort);
    return this.reload();
  }

  /** Schedules a reload of the whole tree; bursts of events make one. */
  refresh(reason: RefreshReason): void {
    if (this.#disposed) return;
    this.#reasons.add(reason);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#flush(), REFRESH_DEBOUNCE_MS);
  }

  /** Reloads now and resolves with the new snapshot (the tree redraws with it). */
  reload(): Promise<TreeSnapshot | undefined> {
    clearTimeout(this.#timer);
    this.#reasons.clear();
    this.#stale = true;
    const loading = this.#ensureLoaded();
    this.#changed.fire(undefined);
    return loading;
  }

  #flush(): void {
    const reasons = [...this.#reasons];
    this.#reasons.clear();
    // Engine events that the tree already shows: the client event of our own first open, or the
    // catalog change that our own load caused. Same client, same catalog versions: nothing to redo.
    const client = this.#client;
    if (
      reasons.every((r) => r === 'client' || r === 'catalogs') &&
      client &&
      this.services.host.current === client &&
      this.#snapshot &&
      loadDisplay().catalogKeyOf(client.status()) === this.#snapshot.catalogKey
    ) {
      return;
    }
    this.services.log.debug(`Marketplace view: refresh (${reasons.join(', ')})`);
    this.#stale = true;
    this.#changed.fire(undefined);
  }

  /** The snapshot, loading it when stale. Loads run one at a time; a stale one is followed by another. */
  #ensureLoaded(): Promise<TreeSnapshot | undefined> {
    if (!this.#stale) return this.#loading ?? Promise.resolve(this.#snapshot);
    this.#stale = false;
    const next = (this.#loading ?? Promise.resolve(undefined)).catch(() => undefined).then(() => this.#load());
    this.#loading = next;
    void next.finally(() => {
      if (this.#loading === next) this.#loading = undefined;
    });
    return next;
  }

  async #load(): Promise<TreeSnapshot | undefined> {
    const started = performance.now();
    let snapshot: TreeSnapshot | undefined;
    try {
      const client = await this.services.host.get();
      this.#watch(client);
      const { searchQueryOf, TreeSnapshot } = loadDisplay();
      const { hits } = await client.search(searchQueryOf(this.#filter, this.#sort));
      snapshot = new TreeSnapshot({
        statuses: client.status(),
        templates: hits.map((h) => h.entry),
        filter: this.#filter,
        sampleSourceId: loadEngine().SAMPLE_SOURCE_ID,
      });
      await setContext(ContextKeys.loadFailed, false);
      this.services.log.debug(`Marketplace view: ${snapshot.shown} of ${snapshot.total} templates in ${(performance.now() - started).toFixed(1)} ms`);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'E_ABORTED') {
        // The client was closed mid-load (a rebuild): keep what is shown; the new client's event reloads.
        this.#stale = true;
        return this.#snapshot;
      }
      this.services.log.warn(`Marketplace view: no marketplace could be loaded: ${describeError(err)}`);
      await setContext(ContextKeys.loadFailure, loadDisplay().loadFailureKind(err));
      await setContext(ContextKeys.loadFailed, true);
    }
    if (this.#disposed) return undefined;
    this.#snapshot = snapshot;
    this.#loadedAt = Date.now();
    this.#updateViewText();
    this.#loaded.fire(snapshot);
    return snapshot;
  }

  /** Follows the current client's catalog changes (never its metrics). */
  #watch(client: MarketplaceClient): void {
    if (client === this.#client) return;
    this.#clientEvents?.dispose();
    this.#client = client;
    this.#clientEvents = client.onDidChangeCatalogs(() => this.refresh('catalogs'));
  }

  #redrawTemplates(refs: readonly string[]): void {
    const nodes = this.#snapshot?.materialized(refs) ?? [];
    if (nodes.length > 0) this.#changed.fire(nodes);
  }

  #updateViewText(): void {
    const view = this.#view;
    if (!view) return;
    const snapshot = this.#snapshot;
    if (snapshot && isFiltered(this.#filter)) {
      const { describeFilter } = loadDisplay();
      view.description = l10n.t('{0} of {1}', snapshot.shown, snapshot.total);
      view.message =
        snapshot.shown === 0
          ? l10n.t('No templates match {0}.', describeFilter(this.#filter))
          : snapshot.shown === 1
            ? l10n.t('1 of {0} templates matches {1}.', snapshot.total, describeFilter(this.#filter))
            : l10n.t('{0} of {1} templates match {2}.', snapshot.shown, snapshot.total, describeFilter(this.#filter));
    } else {
      view.description = undefined;
      view.message = undefined;
    }
  }

  // ---- TreeDataProvider ----------------------------------------------------------------------

  async getChildren(node?: MarketplaceNode): Promise<MarketplaceNode[]> {
    if (!node) return [...((await this.#ensureLoaded())?.sources ?? [])];
    const snapshot = this.#snapshot;
    if (!snapshot) return [];
    switch (node.kind) {
      case 'source':
        return [...snapshot.childrenOf(node)];
      case 'category':
        return [...snapshot.templatesOf(node)];
      default:
        return [];
    }
  }

  getParent(node: MarketplaceNode): MarketplaceNode | undefined {
    return node.kind === 'source' ? undefined : node.parent;
  }

  getTreeItem(node: MarketplaceNode): vscode.TreeItem {
    const p = loadDisplay().present(node, this.#presentContext());
    const item = new vscode.TreeItem(p.highlights ? { label: p.label, highlights: p.highlights } : p.label, collapsibleState(p.collapsible));
    item.id = node.id;
    if (p.description !== undefined) item.description = p.description;
    item.iconPath = p.icon.color ? new vscode.ThemeIcon(p.icon.id, new vscode.ThemeColor(p.icon.color)) : new vscode.ThemeIcon(p.icon.id);
    item.contextValue = p.contextValue;
    item.accessibilityInformation = { label: p.a11yLabel };
    if (node.kind === 'template') {
      // A row is not a button: clicking shows what the template would write, it never installs.
      item.command = { command: Commands.preview, title: l10n.t('Preview'), arguments: [node] };
    }
    return item;
  }

  /** Tooltips are built only when hovered: catalog text escaped, never trusted, no command links. */
  resolveTreeItem(item: vscode.TreeItem, node: MarketplaceNode): vscode.TreeItem {
    const text = loadDisplay().tooltipFor(node, this.#presentContext());
    if (text !== undefined) item.tooltip = untrustedMarkdown(text);
    return item;
  }

  #presentContext(): PresentContext {
    const query = this.#filter.query?.trim();
    return {
      now: Date.now(),
      locale: vscode.env.language,
      sourceCount: this.#snapshot?.sources.length ?? 0,
      ...(query ? { query } : {}),
      filtered: isFiltered(this.#filter),
      verification: (ref) => this.services.verification.get(ref),
      installed: (ref) => this.installed?.mark(ref),
    };
  }

  // ---- For commands and tests ------------------------------------------------------------------

  /** The node of a template in the tree as loaded now (undefined if the filter hides it). */
  async findTemplate(ref: string): Promise<TemplateNode | undefined> {
    const snapshot = await this.#ensureLoaded();
    return snapshot?.findTemplate(ref);
  }

  /** Selects a template's row, expanding its marketplace and category; false if it is not shown. */
  async reveal(ref: string, options: { focus?: boolean } = {}): Promise<boolean> {
    const node = await this.findTemplate(ref);
    if (!node || !this.#view) return false;
    await this.#view.reveal(node, { select: true, focus: options.focus ?? false, expand: false });
    return true;
  }

  dispose(): void {
    this.#disposed = true;
    for (const d of this.#disposables.splice(0)) d.dispose();
  }
}

function collapsibleState(c: 'none' | 'collapsed' | 'expanded'): vscode.TreeItemCollapsibleState {
  return c === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : c === 'collapsed' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
}
