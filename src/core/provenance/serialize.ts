import { compareKeys } from './keys';
import type { ProvenanceRecord } from './types';

/**
 * The record as written to disk: JSON with keys sorted at every level, entries sorted by
 * marketplace id then template id, files by path, two-space indent and a trailing newline, so the
 * same content always gives the same bytes and a reinstall shows up in `git diff` as the lines that
 * really changed. Expects a record in canonical form (from parseProvenance / upsertEntry).
 */
export function serializeProvenance(record: ProvenanceRecord): string {
  return `${JSON.stringify(sortKeys(record), null, 2)}\n`;
}

export function serializeProvenanceBytes(record: ProvenanceRecord): Uint8Array {
  return new TextEncoder().encode(serializeProvenance(record));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => compareKeys(a, b));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}
