/**
 * L2: a byte-bounded, content-addressed cache on disk that several processes share safely (every
 * VS Code window runs its own extension host on the same folder).
 *
 * Layout of `dir`:
 *
 *   keys/<sha256 of key>.json   one record per key: a header { v: 2, key, compression,
 *                               meta: EntryMeta } on its first line, followed by the stored value
 *                               itself (see record.ts): one file to write and read per entry;
 *                               the value is raw DEFLATE (node:zlib; fflate's in earlier
 *                               releases), or raw when that does not pay (zips) - `compression`
 *                               says which. Earlier releases wrote { v: 1, … } alone and the
 *                               value in a blob; those are still read, and so are values over
 *                               `inlineMaxBytes` when that option is set
 *   blobs/<2 hex>/<sha256>      a value a v1 record names, by the SHA-256 of its UNCOMPRESSED bytes
 *   …/*.tmp                     a write in progress, or one a crash left behind
 *
 * - Identical content under two v1 keys is one blob; values in records are not shared (packages,
 *   the large values, are keyed by their digest anyway). A blob no record names any more goes at
 *   the next eviction or `gc`.
 * - A file that replaces another is written to a temp file in its own folder, then renamed into
 *   place: readers see the old file or the new one, never half of one. A file with nothing to
 *   replace (every file of a cold batch) is written in place with `wx`, saving the rename: a crash
 *   or a concurrent reader can then see a prefix of it, which fails the digest check below like
 *   any torn file, and is dropped and refetched (see writeFileFresh). The blob goes first, then
 *   the record, so a record never names a blob that was not written yet.
 * - Reads trust nothing: the record must parse and name the key; the blob must inflate to exactly
 *   `meta.size` bytes with digest `meta.sha256`. Anything else is deleted, reported to
 *   `onCorrupt`, and read as a miss, so the caller refetches. Bad bytes are never served.
 * - LRU recency is the record's mtime, bumped with `utimes` on a hit only when it is older than
 *   `recencyResolutionMs` (default 10 minutes): eviction needs coarse recency, and a metadata
 *   write on every hit cost more than the read. One syscall instead of rewriting the record, and
 *   no read-modify-write race with a window storing a new value under the same key. A write's
 *   mtime is the file system's clock; only an injected clock (`now`) is stamped with `utimes`.
 *   A hit looks at no mtime: the header's `storedAt` (the write that set the mtime) and what this
 *   process last saw (#recent) tell when recency may be due; only then is the mtime read (`stat`),
 *   and bumped if it really is old. So a key costs at most one `stat` (and one `utimes`) per
 *   process and resolution period, and a hit just its read: with the size known (a package), an
 *   open, one read and a close (readSized), else a `readFile`. Measured on 1,000 × 4 KiB packages
 *   at concurrency 8 (test/bench/cache.bench.ts), against `readFile` + SHA-256 at concurrency 8:
 *   1.7-1.9× before (open + fstat + read + close and a layer of promises per step), 0.9-1.2× now.
 * - A cache is an optimisation, so a folder the cache cannot use is no failure: a read-only folder
 *   still serves what it holds (recency is simply not updated), a full disk (ENOSPC), a quota, a
 *   permission or I/O error makes a write or read a no-op / miss. Each such failure is a
 *   `CacheProblem`: told to `onProblem`, shown by `stats()`, never thrown, so callers carry on
 *   with the bytes they have in memory and never report a disk problem as a network or
 *   verification failure.
 * - Nothing is remembered between calls: totals, recency and references are re-read from the
 *   folder, since another process may have changed any of them. A file vanishing under an
 *   operation (ENOENT) is a miss. The worst a race between processes can do is turn a hit into a
 *   miss (e.g. a sweep deletes a blob a moment before another window re-references it).
 */
import { mkdir } from 'node:fs/promises';
import { AbortedError, FormatError, IntegrityError } from '../errors';
import { sha256Hex } from '../format';
import { decodeBlob, encodeBlob } from './blobCodec';
import { DiskLayout, scanStore } from './diskLayout';
import { evictOverBudget, sweep, type GcResult, type SweepContext } from './diskSweep';
import { listNames, readIfExists, readSized, removeFile, statIfExists, touchFile, writeFileAtomic, writeFileFresh } from './fsUtil';
import { requireDuration, requirePositiveInteger } from './options';
import { parseRecord, serializeRecord, type KeyRecord } from './record';
import type { CachedItem, EntryMeta, GetOptions, RecordListing, SetOptions } from './types';

export type { GcResult } from './diskSweep';

export interface DiskCacheOptions {
  /** The cache folder; created if missing. */
  dir: string;
  /** Budget for records + blobs as stored on disk. */
  maxBytes: number;
  /** Default freshness lifetime of an entry. */
  ttlMs: number;
  /** Epoch-ms clock; tests inject one. */
  now?: () => number;
  /** Told about every corrupt entry that was dropped. `key` is the record's file name when the record is unreadable. */
  onCorrupt?: (key: string, reason: string) => void;
  /** How long `gc` keeps an expired entry as an offline fallback. Default 7 days. */
  keepStaleMs?: number;
  /** Told about every file system failure the cache absorbed (full disk, read-only folder, …). */
  onProblem?: (problem: CacheProblem) => void;
  /** A hit bumps the entry's recency only when it is older than this. Default 10 minutes. */
  recencyResolutionMs?: number;
  /** Values of at most this many bytes are stored in their record, larger ones in a blob. Default: every value in its record; 0 turns it off. */
  inlineMaxBytes?: number;
}

/** A file system failure the cache absorbed instead of failing the operation that used it. */
export interface CacheProblem {
  /** What the cache was doing: its folder could not be created, a value not read or stored, … */
  operation: 'open' | 'read' | 'write' | 'touch' | 'remove' | 'scan';
  /** The system error code: ENOSPC, EROFS, EACCES, EDQUOT, EIO, … */
  code: string;
  message: string;
  /** Epoch ms, from the cache's clock. */
  at: number;
}

export interface SetResult {
  meta: EntryMeta;
  /** Uncompressed bytes. */
  rawBytes: number;
  /** Bytes of the blob on disk; 0 when the value was not stored (larger than `maxBytes`, or see `problem`). */
  storedBytes: number;
  /** Set when the value could not be stored because of the file system (full disk, read-only folder). */
  problem?: CacheProblem;
}

export interface DiskCacheStats {
  entries: number;
  blobs: number;
  /** Bytes of records + blobs, the figure `maxBytes` bounds. */
  bytes: number;
  /** The last file system failure, until a later write succeeds: the folder is full, read-only, … */
  problem?: CacheProblem;
}

const DEFAULT_KEEP_STALE_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_RECENCY_RESOLUTION_MS = 10 * 60 * 1000;
/**
 * Measured on the cold path at concurrency 8: two files (blob, record) cost twice one `writeFile`
 * for 1,000 small packages (1.4-2.6 s vs 0.6 s), and for 64 × 1 MB the second file's open, write
 * and close (plus a second miss check) were a third of the store's time. So every value goes in
 * its record: one file per entry, whatever its size.
 */
const DEFAULT_INLINE_MAX_BYTES = Number.POSITIVE_INFINITY;

export class DiskCache {
  readonly #layout: DiskLayout;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Set with an injected clock: file times must then come from it, not from the file system. */
  readonly #stampTimes: boolean;
  readonly #recencyResolutionMs: number;
  readonly #inlineMaxBytes: number;
  readonly #sweep: SweepContext;
  readonly #onCorrupt: ((key: string, reason: string) => void) | undefined;
  readonly #onProblem: ((problem: CacheProblem) => void) | undefined;
  /** The last absorbed failure; cleared by a successful write. */
  #problem: CacheProblem | undefined;
  /** The folder could not be created: every read misses and every write is skipped. */
  #unusable = false;
  /** Operations in progress, and how close() waits for the last of them. */
  #running = 0;
  #drained: Promise<void> | undefined;
  #drain: (() => void) | undefined;
  /**
   * By record path: when this process last knew the record's mtime to be recent (it bumped it, or
   * found it bumped), in insertion order, at most RECENT_MAX entries. Only an optimisation: a key
   * forgotten costs one `stat` on its next old hit.
   */
  readonly #recent = new Map<string, number>();
  /** Stored bytes as of the last folder scan, plus what this process wrote since (see #set). */
  #estimate: { bytes: number; scannedAt: number } | undefined;
  #closed = false;

  private constructor(opts: DiskCacheOptions) {
    const owner = 'DiskCache options';
    if (typeof opts.dir !== 'string' || opts.dir === '') throw new FormatError('must name a folder', owner, 'dir');
    this.#maxBytes = requirePositiveInteger(owner, 'maxBytes', opts.maxBytes);
    this.#ttlMs = requireDuration(owner, 'ttlMs', opts.ttlMs);
    const keepStaleMs = requireDuration(owner, 'keepStaleMs', opts.keepStaleMs ?? DEFAULT_KEEP_STALE_MS);
    this.#now = opts.now ?? Date.now;
    this.#stampTimes = opts.now !== undefined;
    this.#recencyResolutionMs = requireDuration(owner, 'recencyResolutionMs', opts.recencyResolutionMs ?? DEFAULT_RECENCY_RESOLUTION_MS);
    this.#inlineMaxBytes = opts.inlineMaxBytes === undefined ? DEFAULT_INLINE_MAX_BYTES : requireDuration(owner, 'inlineMaxBytes', opts.inlineMaxBytes);
    this.#onCorrupt = opts.onCorrupt;
    this.#onProblem = opts.onProblem;
    this.#layout = new DiskLayout(opts.dir);
    this.#sweep = {
      layout: this.#layout,
      maxBytes: this.#maxBytes,
      keepStaleMs,
      now: this.#now,
      reportCorrupt: (recordName, err) => this.#report(recordName, err),
    };
  }

  /** Opens the cache; a folder that cannot be created gives a cache that holds nothing (see `stats().problem`). */
  static async open(opts: DiskCacheOptions): Promise<DiskCache> {
    const cache = new DiskCache(opts);
    try {
      await createFolders(cache.#layout);
    } catch (err) {
      if (!isSystemError(err)) throw err;
      cache.#unusable = true;
      cache.#absorb('open', err);
    }
    return cache;
  }

  /** The value for `key`, checked against its digest; `undefined` on a miss, an expired entry (unless `allowStale`) or corruption. */
  get(key: string, opts: GetOptions = {}): Promise<CachedItem | undefined> {
    return this.#guard(() => this.#get(key, opts));
  }

  /**
   * The records in the folder right now, in one listing, for a batch about to read many keys that
   * are mostly not there (a cold batch): handed to `get` as `listed`, it turns each absent key into
   * a miss without the failed `open` that cost a tenth of a cold batch of 1,000 small packages.
   * Only a hint: a record written after the listing goes unseen (its value is fetched again and the
   * write replaces the record atomically), one removed after it is a miss as ever.
   * `undefined` when the folder holds more than `maxRecords` files (listing it would cost more
   * than the opens it saves), or cannot be listed, or the cache is closed or unusable.
   */
  async listRecords(maxRecords: number): Promise<RecordListing | undefined> {
    if (this.#closed || this.#unusable) return undefined;
    try {
      return await this.#guard(async () => {
        const names = await listNames(this.#layout.keysDir, maxRecords);
        return names && { names };
      });
    } catch (err) {
      if (!isSystemError(err) && !(err instanceof AbortedError)) throw err;
      return undefined;
    }
  }

  /** Stores `bytes` under `key`, then evicts least recently used entries while over `maxBytes`. */
  set(key: string, bytes: Uint8Array, opts: SetOptions = {}): Promise<SetResult> {
    return this.#guard(() => this.#set(key, bytes, opts));
  }

  /** After a 304: new expiry (and validators, when given) for the stored value; the blob is untouched. `undefined` if there is nothing to refresh. */
  refresh(key: string, opts: SetOptions): Promise<EntryMeta | undefined> {
    return this.#guard(() => this.#absorbing('read', undefined, () => this.#refresh(key, opts)));
  }

  /** Forgets `key`. Its blob may be shared, so it goes at the next eviction or `gc`. */
  delete(key: string): Promise<void> {
    return this.#guard(() => this.#absorbing('remove', undefined, async () => {
      await removeFile(this.#layout.recordPath(key));
    }));
  }

  /** Removes every entry and blob (temp files of writes in progress are left to finish). */
  clear(): Promise<void> {
    return this.#guard(async () => {
      this.#estimate = undefined;
      const scan = await scanStore(this.#layout);
      // Records first: from the first deletion on, no key resolves to a blob about to disappear.
      for (const file of scan.records) await removeFile(file.path);
      for (const file of scan.blobs.values()) await removeFile(file.path);
    });
  }

  /**
   * The full sweep: stray temp files and unreferenced blobs older than a minute, unreadable
   * records, records whose blob is gone, entries expired for longer than `keepStaleMs`, then
   * LRU eviction down to `maxBytes`.
   */
  gc(): Promise<GcResult> {
    this.#estimate = undefined;
    return this.#guard(() => sweep(this.#sweep));
  }

  stats(): Promise<DiskCacheStats> {
    return this.#guard(async () => {
      const scan = await this.#absorbing('scan', undefined, () => scanStore(this.#layout));
      const stats: DiskCacheStats = scan ? { entries: scan.records.length, blobs: scan.blobs.size, bytes: scan.bytes } : { entries: 0, blobs: 0, bytes: 0 };
      if (this.#problem) stats.problem = { ...this.#problem };
      return stats;
    });
  }

  /** Waits for operations in progress; any call after this rejects with AbortedError. Nothing on disk needs closing. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#running === 0) return;
    this.#drained ??= new Promise<void>((resolve) => (this.#drain = resolve));
    await this.#drained;
  }

  /** Counted rather than kept in a set: a set add, a `then` and a closure less per hit. */
  async #guard<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new AbortedError('The disk cache is closed.');
    this.#running++;
    try {
      return await operation();
    } finally {
      // Once closed, nothing new starts: the count only falls.
      if (--this.#running === 0) this.#drain?.();
    }
  }

  /** Runs `operation`; a file system failure becomes a CacheProblem and `fallback`. */
  async #absorbing<T, F>(kind: CacheProblem['operation'], fallback: F, operation: () => Promise<T>): Promise<T | F> {
    if (this.#unusable) return fallback;
    try {
      return await operation();
    } catch (err) {
      if (!isSystemError(err)) throw err;
      this.#absorb(kind, err);
      return fallback;
    }
  }

  #absorb(operation: CacheProblem['operation'], err: NodeJS.ErrnoException): CacheProblem {
    const problem: CacheProblem = { operation, code: err.code!, message: err.message, at: this.#now() };
    this.#problem = problem;
    try {
      this.#onProblem?.(problem);
    } catch {
      // A listener's failure is not the cache's.
    }
    return problem;
  }

  // The hot path, so few async frames: a file system failure is absorbed here rather than by a
  // wrapping #absorbing, and recency is checked before any call is made (each layer of async
  // functions is a promise and a hop per hit).
  async #get(key: string, opts: GetOptions): Promise<CachedItem | undefined> {
    if (this.#unusable) return undefined;
    try {
      return await this.#read(key, opts);
    } catch (err) {
      if (!isSystemError(err)) throw err;
      this.#absorb('read', err);
      return undefined;
    }
  }

  async #read(key: string, opts: GetOptions): Promise<CachedItem | undefined> {
    const recordName = this.#layout.recordName(key);
    if (opts.listed && !opts.listed.names.has(recordName)) return undefined;
    const recordPath = this.#layout.recordPath(key, recordName);
    // A value that may sit in a blob (size over inlineMaxBytes, or unknown with a finite bound):
    // with its digest known, both files are read at once, one file's latency, not two.
    const expected = opts.sha256 !== undefined && SHA256_HEX.test(opts.sha256) ? opts.sha256 : undefined;
    const inRecord = (opts.size ?? Number.POSITIVE_INFINITY) <= this.#inlineMaxBytes;
    const early = expected === undefined || inRecord ? undefined : readIfExists(this.#layout.blobPath(expected));
    early?.catch(() => undefined); // awaited below when the record names it; a stray failure is not unhandled
    // With the value's size known (a package: the catalog's), the record is read in one `read`.
    const size = opts.size !== undefined && Number.isSafeInteger(opts.size) && opts.size >= 0 && opts.size <= this.#maxBytes ? opts.size : undefined;
    const expectedBytes = size === undefined ? undefined : (inRecord ? size : 0) + key.length + RECORD_HEADER_BYTES;
    const record = await this.#readRecord(recordPath, key, expectedBytes);
    if (!record) return undefined;
    const now = this.#now();
    const stale = now > record.meta.expiresAt;
    if (stale && !(opts.allowStale ?? false)) return undefined;
    const blobPath = record.inline ? undefined : this.#layout.blobPath(record.meta.sha256);
    // Gone means evicted or swept under us: a miss, and the refetch stores it again.
    const data = record.inline ?? (await (early && record.meta.sha256 === expected ? early : readIfExists(blobPath!)));
    if (!data) return undefined;
    let bytes: Uint8Array;
    try {
      // A raw value in its record is a view into the file's buffer, not a copy: the header it
      // keeps alive is a few hundred bytes, the copy of a 1 MB value was a third of a hit.
      bytes = decodeBlob(data, record.compression, record.meta, blobPath ?? recordPath);
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      // The blob goes too: every key that shares it would read the same bad bytes.
      await this.#dropCorrupt(key, err, blobPath ? [recordPath, blobPath] : [recordPath]);
      return undefined;
    }
    if (this.#recencyDue(recordPath, record.meta.storedAt, now)) await this.#bumpRecency(recordPath, now);
    return { bytes, meta: record.meta, stale };
  }

  /**
   * Recency only steers eviction, so it is coarse (see the top of this file): nothing to do for a
   * record written, or known to this process as bumped, within the resolution.
   */
  #recencyDue(recordPath: string, storedAt: number, now: number): boolean {
    if (now - storedAt <= this.#recencyResolutionMs) return false;
    const seen = this.#recent.get(recordPath);
    return seen === undefined || now - seen > this.#recencyResolutionMs;
  }

  /** Reads the record's mtime and bumps it if it is old. A read-only folder still serves what it holds. */
  async #bumpRecency(recordPath: string, now: number): Promise<void> {
    const resolution = this.#recencyResolutionMs;
    let recentAt = now;
    await this.#absorbing('touch', false, async () => {
      const stats = await statIfExists(recordPath);
      if (stats && now - stats.mtimeMs <= resolution) recentAt = stats.mtimeMs;
      else if (stats) await touchFile(recordPath, now);
    });
    // Also after a failed bump (a read-only folder): told once, not retried on every hit.
    this.#recent.delete(recordPath);
    this.#recent.set(recordPath, recentAt);
    if (this.#recent.size > RECENT_MAX) this.#recent.delete(this.#recent.keys().next().value!);
  }

  async #set(key: string, bytes: Uint8Array, opts: SetOptions): Promise<SetResult> {
    const now = this.#now();
    // A given digest names a file: anything but 64 hex digits is ignored (hashed instead), never a path.
    const sha256 = opts.sha256 !== undefined && SHA256_HEX.test(opts.sha256) ? opts.sha256 : sha256Hex(bytes);
    const meta = this.#freshMeta(sha256, bytes.byteLength, now, opts);
    const notStored = (problem?: CacheProblem): SetResult => ({ meta, rawBytes: bytes.byteLength, storedBytes: 0, ...(problem ? { problem } : {}) });
    if (this.#unusable) return notStored(this.#problem);
    const blob = encodeBlob(bytes);
    const inline = bytes.byteLength <= this.#inlineMaxBytes;
    // Header and value as separate chunks, written with one writev: the value is never copied.
    const record = serializeRecord(inline ? { v: 2, key, compression: blob.compression, meta, inline: blob.data } : { v: 1, key, compression: blob.compression, meta });
    const recordPath = this.#layout.recordPath(key);
    const recordBytes = record.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const added = inline ? recordBytes : blob.data.byteLength + recordBytes;
    if (added > this.#maxBytes) {
      // Storing it would evict everything else and then itself. The old value is outdated either way.
      await this.#absorbing('remove', false, () => removeFile(recordPath));
      return notStored();
    }
    try {
      // Blob first: a record never names a blob that was not written yet.
      if (!inline) await writeFileFresh(this.#layout.blobPath(meta.sha256), [blob.data], this.#mtime(now));
      await writeFileFresh(recordPath, record, this.#mtime(now));
    } catch (err) {
      if (!isSystemError(err)) throw err;
      // The old record (if any) describes an older value: drop it so it is not served as current.
      await removeFile(recordPath).catch(() => undefined);
      return notStored(this.#absorb('write', err));
    }
    this.#problem = undefined;
    await this.#absorbing('scan', undefined, () => this.#evictIfNeeded(added, now));
    return { meta, rawBytes: bytes.byteLength, storedBytes: blob.data.byteLength };
  }

  async #evictIfNeeded(added: number, now: number): Promise<void> {
    // Only a folder scan (a readdir + stat per file) gives a total no other window can have made
    // wrong, but one per set makes a batch of n downloads cost n scans. So scan when this
    // process's own estimate nears the budget, or when the last scan is older than
    // RESCAN_INTERVAL_MS: another window can push the folder over budget for at most that long.
    const e = this.#estimate;
    if (!e || e.bytes + added > this.#maxBytes * 0.9 || now - e.scannedAt > RESCAN_INTERVAL_MS) {
      const scan = await scanStore(this.#layout);
      await evictOverBudget(this.#sweep, scan);
      this.#estimate = { bytes: Math.min(scan.bytes, this.#maxBytes), scannedAt: now };
    } else {
      e.bytes += added;
    }
  }

  /**
   * The mtime to stamp on a file written at `now`: none (the file system's own) on the real clock.
   * A blob is written whole even when the same content is there already: a `stat` first cost more
   * on the cold path (where the blob is always new) than rewriting saves, and the fresh mtime
   * keeps an orphan sweep running right now from taking it.
   */
  #mtime(now: number): number | undefined {
    return this.#stampTimes ? now : undefined;
  }

  async #refresh(key: string, opts: SetOptions): Promise<EntryMeta | undefined> {
    const recordPath = this.#layout.recordPath(key);
    const record = await this.#readRecord(recordPath, key);
    if (!record) return undefined;
    // Revalidating a value whose bytes are gone would only make a dangling record look fresh.
    if (!record.inline && !(await statIfExists(this.#layout.blobPath(record.meta.sha256)))) return undefined;
    const now = this.#now();
    // A 304 may omit validators; the stored ones still describe the stored bytes.
    const meta = this.#freshMeta(record.meta.sha256, record.meta.size, now, {
      ttlMs: opts.ttlMs,
      etag: opts.etag ?? record.meta.etag,
      lastModified: opts.lastModified ?? record.meta.lastModified,
    });
    // Not written (full disk, read-only folder): the caller still gets the new expiry, from memory.
    await this.#absorbing('write', undefined, () => writeFileAtomic(recordPath, serializeRecord({ ...record, meta }), this.#mtime(now)));
    return meta;
  }

  #freshMeta(sha256: string, size: number, now: number, opts: SetOptions): EntryMeta {
    const ttlMs = opts.ttlMs === undefined ? this.#ttlMs : requireDuration('DiskCache set options', 'ttlMs', opts.ttlMs);
    const meta: EntryMeta = { sha256, size, storedAt: now, expiresAt: now + ttlMs };
    if (opts.etag !== undefined) meta.etag = opts.etag;
    if (opts.lastModified !== undefined) meta.lastModified = opts.lastModified;
    return meta;
  }

  /** The record at `path`, `undefined` if absent; a corrupt one is dropped and reported. */
  async #readRecord(path: string, key: string, expectedBytes?: number): Promise<KeyRecord | undefined> {
    const data = await (expectedBytes === undefined ? readIfExists(path) : readSized(path, expectedBytes));
    if (!data) return undefined;
    try {
      return parseRecord(data, path, key);
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      await this.#dropCorrupt(key, err, [path]);
      return undefined;
    }
  }

  async #dropCorrupt(key: string, err: IntegrityError, paths: readonly string[]): Promise<void> {
    for (const path of paths) await this.#absorbing('remove', false, () => removeFile(path));
    this.#report(key, err);
  }

  #report(key: string, err: IntegrityError): void {
    this.#onCorrupt?.(key, err.subject ? `${err.subject}: ${err.message}` : err.message);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * A record's header but its key, as serializeRecord writes it with no etag: 159 bytes of JSON,
 * digest and newline, plus three numbers (size, storedAt, expiresAt) of up to 16 digits. The value
 * read is a view of the buffer, so slack here is memory held with it (19 bytes for a package
 * today); an etag or a key with escapes or non-ASCII characters makes the header longer, and
 * readSized then reads on.
 */
const RECORD_HEADER_BYTES = 159 + 3 * 16;

/** See #recent: enough for every package a large batch reads, a few hundred KB at most. */
const RECENT_MAX = 4096;

/** See #set: how stale this process's idea of the folder's total may get. */
const RESCAN_INTERVAL_MS = 30_000;

/** An error from the operating system (it has an errno code), as opposed to a bug or a refusal. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((err as NodeJS.ErrnoException).code!);
}

/**
 * Only the two top folders. Values live in their records now, so blob fan-out folders are made by
 * the first write that needs one (writeFileFresh creates a missing folder and retries): making all
 * 256 up front cost a first start 9-15 ms, and every later disk scan a readdir of each.
 */
async function createFolders(layout: DiskLayout): Promise<void> {
  await mkdir(layout.keysDir, { recursive: true });
  await mkdir(layout.blobsDir, { recursive: true });
}
