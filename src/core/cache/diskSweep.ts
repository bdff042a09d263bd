import { basename } from 'node:path';
import { IntegrityError } from '../errors';
import { scanStore, type DiskLayout, type StoredFile, type StoreScan } from './diskLayout';
import { readHead, removeFile, statIfExists } from './fsUtil';
import { holdsValue, parseRecordHead, type KeyRecord } from './record';

/**
 * Space reclaiming for the disk cache: LRU eviction down to the byte budget, and the full `gc`
 * sweep. Both work from a fresh scan of the folder, never from remembered totals, because other
 * processes add and remove files all the time.
 */

export interface GcResult {
  removedEntries: number;
  removedBlobs: number;
  freedBytes: number;
}

export interface SweepContext {
  layout: DiskLayout;
  maxBytes: number;
  /** How long an expired entry is kept as an offline fallback. */
  keepStaleMs: number;
  now: () => number;
  /** Told about each unreadable record that was dropped, by file name (its key is unknowable). */
  reportCorrupt: (recordName: string, err: IntegrityError) => void;
}

/** Temp files and unreferenced blobs younger than this may belong to a write still in progress. */
export const GRACE_MS = 60_000;

interface LoadedRecord {
  file: StoredFile;
  record: KeyRecord;
}

function noneRemoved(): GcResult {
  return { removedEntries: 0, removedBlobs: 0, freedBytes: 0 };
}

/**
 * The full sweep: stray temp files and unreferenced blobs older than GRACE_MS, unreadable records,
 * records whose blob is gone, entries expired for longer than `keepStaleMs`, then eviction.
 */
export async function sweep(ctx: SweepContext): Promise<GcResult> {
  const now = ctx.now();
  const result = noneRemoved();
  const scan = await scanStore(ctx.layout);
  for (const temp of scan.temps) {
    if (temp.mtimeMs < now - GRACE_MS && (await removeFile(temp.path))) result.freedBytes += temp.size;
  }
  const referenced = new Set<string>();
  for (const { file, record } of await loadRecords(ctx, scan.records, result)) {
    const { sha256, expiresAt } = record.meta;
    const expiredForLong = now > expiresAt + ctx.keepStaleMs;
    if (holdsValue(record)) {
      // Holds its value itself: no blob to find or to keep.
      if (expiredForLong) await removeCounted(file, result, 'removedEntries');
      continue;
    }
    // Not in the listing may just mean written after it: ask the disk before calling it dangling.
    const dangling = !scan.blobs.has(sha256) && !(await statIfExists(ctx.layout.blobPath(sha256)));
    if (expiredForLong || dangling) await removeCounted(file, result, 'removedEntries');
    else referenced.add(sha256);
  }
  for (const [sha256, blob] of scan.blobs) {
    if (!referenced.has(sha256) && blob.mtimeMs < now - GRACE_MS) await removeCounted(blob, result, 'removedBlobs');
  }
  const evicted = await evictOverBudget(ctx, await scanStore(ctx.layout));
  return {
    removedEntries: result.removedEntries + evicted.removedEntries,
    removedBlobs: result.removedBlobs + evicted.removedBlobs,
    freedBytes: result.freedBytes + evicted.freedBytes,
  };
}

/**
 * Evicts until the store fits `maxBytes`: unreferenced blobs older than GRACE_MS first, then least
 * recently used records (oldest mtime), each with the blob only it named.
 */
export async function evictOverBudget(ctx: SweepContext, scan: StoreScan): Promise<GcResult> {
  const result = noneRemoved();
  if (scan.bytes <= ctx.maxBytes) return result;
  const loaded = await loadRecords(ctx, scan.records, result);
  const references = new Map<string, number>();
  for (const { record } of loaded) if (!holdsValue(record)) references.set(record.meta.sha256, (references.get(record.meta.sha256) ?? 0) + 1);
  // Recount from what survived loading: records may have vanished or been dropped as corrupt.
  let total = loaded.reduce((sum, { file }) => sum + file.size, 0);
  for (const blob of scan.blobs.values()) total += blob.size;

  const graceEdge = ctx.now() - GRACE_MS;
  for (const [sha256, blob] of scan.blobs) {
    if (references.has(sha256) || blob.mtimeMs >= graceEdge) continue;
    await removeCounted(blob, result, 'removedBlobs');
    total -= blob.size;
    scan.blobs.delete(sha256);
  }

  loaded.sort((a, b) => a.file.mtimeMs - b.file.mtimeMs || a.file.path.localeCompare(b.file.path));
  for (const { file, record } of loaded) {
    if (total <= ctx.maxBytes) break;
    await removeCounted(file, result, 'removedEntries');
    total -= file.size;
    if (holdsValue(record)) continue;
    const sha256 = record.meta.sha256;
    const left = (references.get(sha256) ?? 1) - 1;
    references.set(sha256, left);
    const blob = scan.blobs.get(sha256);
    if (left > 0 || !blob) continue;
    await removeCounted(blob, result, 'removedBlobs');
    total -= blob.size;
    scan.blobs.delete(sha256);
  }
  return result;
}

/** A record header longer than this is not one the cache wrote. */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Reads the headers of the listed records (a record holding a 1 MB value is not read whole: its
 * value is checked when it is served, not here); vanished ones are skipped, corrupt ones dropped,
 * reported and counted. Sizes come from the scan's `stat`, so they count the values too.
 */
async function loadRecords(ctx: SweepContext, files: readonly StoredFile[], result: GcResult): Promise<LoadedRecord[]> {
  const loaded: LoadedRecord[] = [];
  for (const file of files) {
    const head = await readHead(file.path, MAX_HEADER_BYTES);
    if (!head) continue;
    try {
      loaded.push({ file, record: parseRecordHead(head.data, head.complete, file.path) });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      await removeCounted(file, result, 'removedEntries');
      ctx.reportCorrupt(basename(file.path), err);
    }
  }
  return loaded;
}

/** Removing a file another process already removed frees nothing here, so it is not counted. */
async function removeCounted(file: StoredFile, result: GcResult, counter: 'removedEntries' | 'removedBlobs'): Promise<void> {
  if (!(await removeFile(file.path))) return;
  result[counter] += 1;
  result.freedBytes += file.size;
}
