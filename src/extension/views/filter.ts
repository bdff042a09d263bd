import type { SearchQuery } from '../../core';

/**
 * The tree's filter and sort, apart from the model (model.ts): the composition root and the
 * provider need them at activation, and the model loads only with the rest of the display code
 * (lazy/display.ts).
 */

export type TreeSort = NonNullable<SearchQuery['sort']>;
export const TREE_SORTS: readonly TreeSort[] = ['relevance', 'downloads', 'updated', 'name'];

export interface TreeFilter {
  /** Words the engine searches for (name, description, tags). */
  readonly query?: string;
  /** Any of these categories. */
  readonly categories: readonly string[];
  /** All of these tags. */
  readonly tags: readonly string[];
}

export const NO_FILTER: TreeFilter = { categories: [], tags: [] };

export function isFiltered(filter: TreeFilter): boolean {
  return Boolean(filter.query?.trim()) || filter.categories.length > 0 || filter.tags.length > 0;
}

/** Whether two filters show the same templates (words compared trimmed, lists as sets, case-insensitively). */
export function sameFilter(a: TreeFilter, b: TreeFilter): boolean {
  const set = (values: readonly string[]) => [...new Set(values.map((v) => v.toLowerCase()))].sort().join('\u0000');
  return (a.query?.trim() ?? '') === (b.query?.trim() ?? '') && set(a.categories) === set(b.categories) && set(a.tags) === set(b.tags);
}
