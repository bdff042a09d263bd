import { createHash } from 'node:crypto';
import { FormatError } from '../errors';
import { compareEntries, compareKeys, entryKey, keyOf } from './keys';
import { normalizeRecordPath, pathFoldKey } from './paths';
import { PROVENANCE_SCHEMA_VERSION, type ProvenanceEntry, type ProvenanceFile, type ProvenanceRecord } from './types';

/** A record with no entries: what a folder without `.template-marketplace.json` is treated as. */
export function emptyProvenance(): ProvenanceRecord {
  return { schemaVersion: PROVENANCE_SCHEMA_VERSION, entries: [] };
}

export function findEntry(record: ProvenanceRecord, marketplaceId: string, templateId: string): ProvenanceEntry | undefined {
  const key = entryKey(marketplaceId, templateId);
  return record.entries.find((e) => keyOf(e) === key);
}

/**
 * A new record with `entry` added, or replacing the entry with the same marketplace id + template
 * id (a reinstall or an update). The input is not modified; entries and files come out sorted.
 */
export function upsertEntry(record: ProvenanceRecord, entry: ProvenanceEntry): ProvenanceRecord {
  const normalized = normalizeEntry(entry);
  const key = keyOf(normalized);
  const entries = record.entries.filter((e) => keyOf(e) !== key);
  entries.push(normalized);
  return { schemaVersion: PROVENANCE_SCHEMA_VERSION, entries: entries.sort(compareEntries) };
}

/** A new record without the entry for that template; the same record content when there was none. */
export function removeEntry(record: ProvenanceRecord, marketplaceId: string, templateId: string): ProvenanceRecord {
  const key = entryKey(marketplaceId, templateId);
  return { schemaVersion: PROVENANCE_SCHEMA_VERSION, entries: record.entries.filter((e) => keyOf(e) !== key) };
}

/** SHA-256 hex of content as written: what a record stores per file. */
export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The `files` of an entry from the files an install wrote (paths relative to the record's folder):
 * normalised, digested, sorted. Duplicate paths (also case-insensitive ones) are a FormatError.
 */
export function recordFiles(files: Iterable<{ path: string; bytes: Uint8Array }>): ProvenanceFile[] {
  return normalizeFiles([...files].map((f) => ({ path: f.path, sha256: digestOf(f.bytes) })));
}

/** Copies an entry into canonical form, so what is stored is what `parseProvenance` would return. */
function normalizeEntry(entry: ProvenanceEntry): ProvenanceEntry {
  const variables = Object.entries(entry.variables).sort(([a], [b]) => compareKeys(a, b));
  return {
    marketplace: { ...entry.marketplace },
    template: { ...entry.template },
    installedAt: entry.installedAt,
    verifiedAt: entry.verifiedAt,
    variables: Object.fromEntries(variables),
    files: normalizeFiles(entry.files),
  };
}

function normalizeFiles(files: readonly ProvenanceFile[]): ProvenanceFile[] {
  const seen = new Set<string>();
  const out = files.map((f, i) => {
    const path = normalizeRecordPath(f.path, `files[${i}].path`);
    if (seen.has(pathFoldKey(path))) throw new FormatError(`"${path}" is listed twice`, undefined, `files[${i}].path`);
    seen.add(pathFoldKey(path));
    return { path, sha256: f.sha256 };
  });
  return out.sort((a, b) => compareKeys(a.path, b.path));
}
