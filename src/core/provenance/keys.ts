import type { ProvenanceEntry } from './types';

/**
 * An entry's identity: marketplace id + template id. Neither may contain "/" (their patterns forbid
 * it), so the joined key is unambiguous; it is also the `<source>/<id>` ref the client uses.
 */
export function entryKey(marketplaceId: string, templateId: string): string {
  return `${marketplaceId}/${templateId}`;
}

export function keyOf(entry: ProvenanceEntry): string {
  return entryKey(entry.marketplace.id, entry.template.id);
}

/** Code-unit order: locale-independent, so every machine sorts (and serializes) the same way. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Entries by marketplace id, then template id. */
export function compareEntries(a: ProvenanceEntry, b: ProvenanceEntry): number {
  return compareKeys(a.marketplace.id, b.marketplace.id) || compareKeys(a.template.id, b.template.id);
}
