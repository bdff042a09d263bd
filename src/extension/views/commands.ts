import * as vscode from 'vscode';
import type { ListedTemplate, SearchResult } from '../../core';
import type { CommandArgs, CommandTable } from '../commands/index';
import { Commands, Views } from '../constants';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { TemplatePreviews } from '../preview/provider';
import type { Services } from '../services';
import { formatCount } from './format';
import { NO_FILTER, TREE_SORTS, type TreeFilter, type TreeSort } from './filter';
import { sortLabel, tagCounts } from './model';
import { isTemplateNode, templateRefOf } from './nodes';
import { categoryLabel } from './present';
import type { TemplatesTreeProvider } from './provider';
import { escapeIcons } from './text';

/** Results shown while typing in Search Templates. */
const SEARCH_LIMIT = 50;

interface Deps {
  readonly services: Services;
  readonly provider: TemplatesTreeProvider;
  readonly previews: TemplatePreviews;
}

/** The Marketplace view's commands: title actions, the row's click (preview) and Copy Id. */
export function createViewCommands(deps: Deps): CommandTable {
  return {
    [Commands.search]: () => searchTemplates(deps),
    [Commands.filter]: () => pickFilter(deps),
    [Commands.sort]: () => pickSort(deps),
    [Commands.clearFilter]: () => deps.provider.setFilter(NO_FILTER),
    [Commands.refresh]: () => refresh(deps),
    [Commands.copyId]: (args) => copyId(deps, args),
    [Commands.preview]: (args) => preview(deps, args),
  };
}

// ---- Refresh --------------------------------------------------------------------------------------

/** Revalidates every catalog now. Failures show in the tree (a source's message, or the welcome view). */
async function refresh({ services, provider }: Deps): Promise<void> {
  await vscode.window.withProgress({ location: { viewId: Views.templates } }, async () => {
    try {
      const client = await services.host.get();
      await client.refresh({ force: true });
    } catch (err) {
      services.log.warn(`Refresh: ${describeError(err)}`);
    }
    await provider.reload();
  });
}

// ---- Preview and Copy Id ----------------------------------------------------------------------------

/** The ref of the invocation target, else of the tree's selected template. */
function targetRef({ provider }: Deps, args: CommandArgs): string | undefined {
  return templateRefOf(args.target) ?? templateRefOf(provider.view?.selection.find(isTemplateNode));
}

async function preview(deps: Deps, args: CommandArgs): Promise<void> {
  const ref = targetRef(deps, args);
  if (!ref) {
    // From the palette with nothing selected: find one first.
    await searchTemplates(deps);
    return;
  }
  await openPreview(deps, ref, { fromTree: isTemplateNode(args.target) });
}

async function openPreview({ previews }: Deps, ref: string, opts: { fromTree: boolean }): Promise<void> {
  // Rendering may download and verify the package: show it in the view, not as a notification.
  const target = await vscode.window.withProgress({ location: { viewId: Views.templates } }, () => previews.prepare(ref));
  // A click in the tree keeps focus there (like Explorer's single click); Search moves it to the preview.
  await previews.showSummary(target, { preserveFocus: opts.fromTree });
}

async function copyId(deps: Deps, args: CommandArgs): Promise<void> {
  const refs = args.selection.map(templateRefOf).filter((r): r is string => r !== undefined);
  const single = targetRef(deps, args);
  const all = refs.length > 1 ? refs : single ? [single] : [];
  if (all.length === 0) return;
  await vscode.env.clipboard.writeText(all.join('\n'));
  vscode.window.setStatusBarMessage(all.length === 1 ? l10n.t('Copied {0}', all[0]!) : l10n.t('Copied {0} template ids', all.length), 3000);
}

// ---- Search ---------------------------------------------------------------------------------------

type SearchItem = vscode.QuickPickItem & { readonly ref?: string; readonly filterBy?: string };

/**
 * Searches as you type (the engine's ranked index), shows category and version, and on pick
 * reveals the template in the tree and opens its preview. The first item applies the words as a
 * tree filter instead.
 */
async function searchTemplates(deps: Deps): Promise<void> {
  const { services, provider } = deps;
  const picker = vscode.window.createQuickPick<SearchItem>();
  const disposables: vscode.Disposable[] = [picker];
  picker.placeholder = l10n.t('Search templates by name, description or tag');
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.value = provider.filter.query ?? '';

  let generation = 0;
  const update = async (value: string): Promise<void> => {
    const mine = ++generation;
    picker.busy = true;
    try {
      const client = await services.host.get();
      const result = await client.search({ query: value, limit: SEARCH_LIMIT });
      if (mine === generation) picker.items = searchItems(value, result, client.status().length > 1 ? new Map(client.status().map((s) => [s.id, s.name])) : undefined);
    } catch (err) {
      services.log.warn(`Search: ${describeError(err)}`);
      if (mine === generation) picker.items = [{ label: l10n.t('No marketplace could be loaded. Run Refresh Catalogs or check the log.'), alwaysShow: true }];
    } finally {
      if (mine === generation) picker.busy = false;
    }
  };

  const picked = new Promise<SearchItem | undefined>((resolve) => {
    disposables.push(
      picker.onDidChangeValue((value) => void update(value)),
      picker.onDidAccept(() => {
        const item = picker.selectedItems[0] ?? picker.activeItems[0];
        if (item && (item.ref || item.filterBy !== undefined)) {
          resolve(item);
          picker.hide();
        }
      }),
      picker.onDidHide(() => resolve(undefined)),
    );
  });
  picker.show();
  void update(picker.value);
  let item: SearchItem | undefined;
  try {
    item = await picked;
  } finally {
    for (const d of disposables) d.dispose();
  }
  if (!item) return;
  if (item.filterBy !== undefined) {
    await provider.setFilter({ ...provider.filter, query: item.filterBy });
    return;
  }
  if (item.ref) {
    await provider.reveal(item.ref, { focus: false }).catch((err: unknown) => services.log.debug(`Reveal ${item.ref}: ${describeError(err)}`));
    await openPreview(deps, item.ref, { fromTree: false });
  }
}

function searchItems(value: string, result: SearchResult, sourceNames: Map<string, string> | undefined): SearchItem[] {
  const items: SearchItem[] = [];
  const words = value.trim();
  if (words) {
    items.push({
      label: `$(filter) ${l10n.t('Filter the Tree by "{0}"', escapeIcons(words, 60))}`,
      description: result.total === 1 ? l10n.t('1 match') : l10n.t('{0} matches', formatCount(result.total)),
      filterBy: words,
      alwaysShow: true,
    });
  }
  if (result.hits.length === 0) {
    items.push({ label: words ? l10n.t('No templates match "{0}"', escapeIcons(words, 60)) : l10n.t('No templates'), alwaysShow: true });
    return items;
  }
  if (words) items.push({ label: l10n.t('Templates'), kind: vscode.QuickPickItemKind.Separator });
  for (const { entry } of result.hits) items.push(templateItem(entry, sourceNames));
  return items;
}

function templateItem(t: ListedTemplate, sourceNames: Map<string, string> | undefined): SearchItem {
  const source = sourceNames?.get(t.source);
  const description = [categoryLabel(t.category), escapeIcons(t.version, 40), ...(source ? [escapeIcons(source, 60)] : [])].join(' · ');
  return {
    label: escapeIcons(t.name, 100),
    description,
    ...(t.description ? { detail: escapeIcons(t.description, 120) } : {}),
    ref: t.ref,
    // Dynamic results: VS Code's own label filter must not hide hits that matched on description or tags.
    alwaysShow: true,
  };
}

// ---- Filter and sort --------------------------------------------------------------------------------

type FilterItem = vscode.QuickPickItem & { readonly category?: string; readonly tag?: string; readonly query?: string };

/** Categories (any of) and tags (all of), with counts; the tree then shows only matching templates. */
async function pickFilter({ services, provider }: Deps): Promise<void> {
  const client = await services.host.get();
  const [categories, all] = await Promise.all([client.categories(), client.list()]);
  const current = provider.filter;
  const tags = tagCounts(all);
  const lower = (values: readonly string[]) => new Set(values.map((v) => v.toLowerCase()));
  const pickedCategories = lower(current.categories);
  const pickedTags = lower(current.tags);

  const items: FilterItem[] = [];
  const query = current.query?.trim();
  if (query) {
    items.push({ label: l10n.t('Search'), kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: l10n.t('Words: "{0}"', escapeIcons(query, 60)), query, picked: true });
  }
  items.push({ label: l10n.t('Categories (any)'), kind: vscode.QuickPickItemKind.Separator });
  for (const c of categories) {
    items.push({ label: escapeIcons(categoryLabel(c.name)), description: formatCount(c.count, vscode.env.language), category: c.name, picked: pickedCategories.has(c.name.toLowerCase()) });
  }
  if (tags.length > 0) {
    items.push({ label: l10n.t('Tags (all)'), kind: vscode.QuickPickItemKind.Separator });
    for (const t of tags) {
      items.push({ label: escapeIcons(t.name, 60), description: formatCount(t.count, vscode.env.language), tag: t.name, picked: pickedTags.has(t.name.toLowerCase()) });
    }
  }

  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: l10n.t('Filter Templates'),
    placeHolder: l10n.t('Show templates in any picked category that have every picked tag'),
    matchOnDescription: false,
  });
  if (!picked) return;
  const filter: TreeFilter = {
    ...(picked.some((i) => i.query !== undefined) && query ? { query } : {}),
    categories: picked.flatMap((i) => (i.category !== undefined ? [i.category] : [])),
    tags: picked.flatMap((i) => (i.tag !== undefined ? [i.tag] : [])),
  };
  await provider.setFilter(filter);
}

async function pickSort({ provider }: Deps): Promise<void> {
  const details: Record<TreeSort, string> = {
    relevance: l10n.t('Best match for the search words first; most downloaded without words'),
    downloads: l10n.t('Most downloaded first'),
    updated: l10n.t('Most recently updated first'),
    name: l10n.t('Alphabetically by name'),
  };
  type SortItem = vscode.QuickPickItem & { sort: TreeSort };
  const items: SortItem[] = TREE_SORTS.map((sort) => ({
    label: sortLabel(sort),
    detail: details[sort],
    ...(sort === provider.sort ? { description: l10n.t('current') } : {}),
    sort,
  }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: l10n.t('Sort templates within each category by') });
  if (picked && picked.sort !== provider.sort) await provider.setSort(picked.sort);
}
