import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import type { ListedTemplate, SearchQuery, SourceStatus } from '../../core';
import { l10n } from '../l10n';
import { errorMessage } from '../ui/errorMessages';
import { nodeIds, type CategoryNode, type MessageNode, type SourceNode, type TemplateNode } from './nodes';
import { categoryLabel } from './present';
import { cleanText } from './text';
import { isFiltered, type TreeFilter, type TreeSort } from './filter';

/**
 * The tree's model, pure: one snapshot per load, built from the engine's sorted, filtered search
 * result in one O(n) pass. Template nodes are made only when their category is expanded (O(size of
 * that category)), and kept for the snapshot's life so that node identity is stable.
 */

/** The one engine query of a load: everything that matches, in the chosen order. */
export function searchQueryOf(filter: TreeFilter, sort: TreeSort): SearchQuery {
  const query = filter.query?.trim();
  return {
    ...(query ? { query } : {}),
    ...(filter.categories.length === 1 ? { category: filter.categories[0] } : {}),
    ...(filter.tags.length > 0 ? { tags: [...filter.tags] } : {}),
    // Relevance needs words; without them the engine ranks by downloads.
    sort: sort === 'relevance' && !query ? 'downloads' : sort,
    limit: Number.MAX_SAFE_INTEGER,
  };
}

/** `"readme" · Documentation, Files · #api #docs`: the active filter in one line. */
export function describeFilter(filter: TreeFilter): string {
  const parts: string[] = [];
  const query = filter.query?.trim();
  if (query) parts.push(l10n.t('"{0}"', cleanText(query, 60)));
  if (filter.categories.length > 0) parts.push(filter.categories.map(categoryLabel).join(', '));
  if (filter.tags.length > 0) parts.push(filter.tags.map((t) => `#${cleanText(t, 40)}`).join(' '));
  return parts.join(' · ');
}

export function sortLabel(sort: TreeSort): string {
  switch (sort) {
    case 'relevance':
      return l10n.t('Relevance');
    case 'downloads':
      return l10n.t('Most Downloaded');
    case 'updated':
      return l10n.t('Recently Updated');
    case 'name':
      return l10n.t('Name');
  }
}

/** Every tag with its number of templates, most used first (O(templates × tags)). */
export function tagCounts(templates: readonly Pick<ListedTemplate, 'tags'>[]): { name: string; count: number }[] {
  const counts = new Map<string, { name: string; count: number }>();
  for (const t of templates) {
    const seen = new Set<string>();
    for (const tag of t.tags) {
      const key = tag.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { name: tag, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/**
 * Which catalog version of each source a snapshot shows. A catalog that changes always gets a higher
 * version (the engine refuses anything else), so an equal key means the same templates.
 */
export function catalogKeyOf(statuses: readonly Pick<SourceStatus, 'id' | 'version'>[]): string {
  return statuses.map((s) => `${s.id}@${s.version ?? '-'}`).join('|');
}

export interface SnapshotInput {
  statuses: readonly SourceStatus[];
  /** The engine's search result: filtered and in display order. */
  templates: readonly ListedTemplate[];
  filter: TreeFilter;
  /** The embedded sample's id: every other source is the user's own (`source:custom`). */
  sampleSourceId: string;
}

type SourceChild = CategoryNode | MessageNode;

export class TreeSnapshot {
  readonly sources: readonly SourceNode[];
  /** Templates shown (after the filter) and listed in all. */
  readonly shown: number;
  readonly total: number;
  readonly filtered: boolean;
  /** `catalogKeyOf` the statuses it was built from. */
  readonly catalogKey: string;
  readonly #children = new Map<string, readonly SourceChild[]>();
  readonly #members = new Map<string, readonly ListedTemplate[]>();
  readonly #categories = new Map<string, CategoryNode>();
  readonly #categoryOf = new Map<string, CategoryNode>();
  readonly #templates = new Map<string, readonly TemplateNode[]>();
  readonly #byRef = new Map<string, TemplateNode>();

  constructor(input: SnapshotInput) {
    this.filtered = isFiltered(input.filter);
    this.catalogKey = catalogKeyOf(input.statuses);
    const wanted = input.filter.categories.length > 1 ? new Set(input.filter.categories.map((c) => c.toLowerCase())) : undefined;

    // One pass: source → category → templates, keeping the engine's order inside each category.
    const groups = new Map<string, Map<string, ListedTemplate[]>>();
    let shown = 0;
    for (const t of input.templates) {
      if (wanted && !wanted.has(t.category.toLowerCase())) continue;
      let bySource = groups.get(t.source);
      if (!bySource) groups.set(t.source, (bySource = new Map()));
      let list = bySource.get(t.category);
      if (!list) bySource.set(t.category, (list = []));
      list.push(t);
      shown++;
    }
    this.shown = shown;

    const sources: SourceNode[] = [];
    let total = 0;
    for (const status of input.statuses) {
      const bySource = groups.get(status.id);
      const count = bySource ? [...bySource.values()].reduce((n, l) => n + l.length, 0) : 0;
      total += status.templates;
      const source: SourceNode = {
        kind: 'source',
        id: nodeIds.source(status.id),
        sourceId: status.id,
        status,
        custom: status.id !== input.sampleSourceId,
        shown: count,
      };
      sources.push(source);

      const children: SourceChild[] = [];
      const problem = sourceProblem(source);
      if (problem) children.push(problem);
      const categories = [...(bySource ?? new Map<string, ListedTemplate[]>()).entries()]
        .map(([name, members]) => ({ name, members, label: categoryLabel(name) }))
        .sort((a, b) => a.label.localeCompare(b.label) || a.name.localeCompare(b.name));
      for (const { name, members } of categories) {
        const node: CategoryNode = { kind: 'category', id: nodeIds.category(status.id, name), parent: source, name, count: members.length };
        children.push(node);
        this.#categories.set(node.id, node);
        this.#members.set(node.id, members);
        for (const t of members) this.#categoryOf.set(t.ref, node);
      }
      if (categories.length === 0 && !problem) children.push(emptyMessage(source, this.filtered));
      this.#children.set(source.id, children);
    }
    this.sources = sources;
    this.total = total;
  }

  /** A source's children: its problem (if any), then its categories by name. */
  childrenOf(source: SourceNode): readonly SourceChild[] {
    return this.#children.get(source.id) ?? [];
  }

  /** A category's templates, made on first expand: O(size of the category), no awaits. */
  templatesOf(category: CategoryNode): readonly TemplateNode[] {
    // By id: the tree may ask with a node of an older snapshot.
    const owner = this.#categories.get(category.id);
    if (!owner) return [];
    let nodes = this.#templates.get(owner.id);
    if (!nodes) {
      const members = this.#members.get(owner.id) ?? [];
      nodes = members.map((template) => {
        const node: TemplateNode = { kind: 'template', id: nodeIds.template(template.ref), parent: owner, ref: template.ref, template };
        this.#byRef.set(template.ref, node);
        return node;
      });
      this.#templates.set(owner.id, nodes);
    }
    return nodes;
  }

  /** The node of a template shown in this snapshot (made if its category was never expanded). */
  findTemplate(ref: string): TemplateNode | undefined {
    const existing = this.#byRef.get(ref);
    if (existing) return existing;
    const category = this.#categoryOf.get(ref);
    if (!category) return undefined;
    this.templatesOf(category);
    return this.#byRef.get(ref);
  }

  /** Categories with templates shown, in tree order: what a new filter expands. */
  categories(): CategoryNode[] {
    return [...this.#categories.values()];
  }

  /** Nodes already handed to the tree for these refs: what a verification change must redraw. */
  materialized(refs: readonly string[]): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    for (const ref of refs) {
      const node = this.#byRef.get(ref);
      if (node) nodes.push(node);
    }
    return nodes;
  }
}

/** A source's error or unreachable marketplace, as one message child with the reason. */
function sourceProblem(source: SourceNode): MessageNode | undefined {
  const { status } = source;
  if (status.state !== 'error' && status.state !== 'offline' && !(status.state === 'empty' && status.error)) return undefined;
  const reason = status.error ? errorMessage(status.error).message : status.state === 'offline' ? l10n.t('The marketplace could not be reached.') : l10n.t('The marketplace answer was refused.');
  return { kind: 'message', id: nodeIds.message(source.sourceId, 'problem'), parent: source, text: reason, severity: status.state === 'offline' ? 'warning' : 'error' };
}

function emptyMessage(source: SourceNode, filtered: boolean): MessageNode {
  const text = filtered
    ? l10n.t('No templates match the filter.')
    : source.status.state === 'empty'
      ? l10n.t('Not loaded yet.')
      : l10n.t('This marketplace lists no templates.');
  return { kind: 'message', id: nodeIds.message(source.sourceId, 'empty'), parent: source, text, severity: 'info' };
}
