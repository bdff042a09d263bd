import { LRUCache } from 'lru-cache';
import { requireDuration, requirePositiveInteger } from './options';
import type { CachedItem, EntryMeta, GetOptions } from './types';

export interface MemoryCacheOptions {
  /**
   * Most entries held at once, on top of `maxBytes`; default: no cap but the bytes. An entry cap
   * below the working set makes LRU serve nothing on a cyclic re-read (a batch read twice): with
   * 500, a re-read of 1,000 small packages got 0% memory hits while they took 0.5 MB of a 64 MB budget.
   */
  maxEntries?: number;
  /** Most value bytes held at once; a single value larger than this is not cached. */
  maxBytes: number;
  /** Longest an entry is served as fresh from memory, even if its `expiresAt` is later; 0 disables the tier. */
  ttlMs: number;
  /** Epoch-ms clock; tests inject one. */
  now?: () => number;
}

interface Slot {
  bytes: Uint8Array;
  meta: EntryMeta;
}

/**
 * L1: an in-process LRU of recently used values, bounded by their total bytes (and optionally by
 * entry count, see `maxEntries`).
 *
 * Expiry is lru-cache's own TTL, set per entry to the time left until `meta.expiresAt` (capped by
 * `ttlMs`, so a value another window has since replaced on disk is not served from memory
 * forever), and read back through lru-cache's `status` - one clock, one source of truth, instead of
 * a second expiry check on top. The injected clock is handed to lru-cache as `perf` so `meta` times
 * and TTLs agree; `ttlResolution: 0` stops lru-cache from caching that clock behind a timer.
 * `noDeleteOnStaleGet` keeps an expired entry after a plain `get`: it is still the fallback a
 * later `get(key, { allowStale: true })` may want, and it still leaves under LRU pressure.
 *
 * Values are shared, not copied: callers must treat returned bytes as read-only.
 */
export class MemoryCache {
  readonly #lru: LRUCache<string, Slot>;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(opts: MemoryCacheOptions) {
    const owner = 'MemoryCache options';
    const maxEntries = opts.maxEntries === undefined ? undefined : requirePositiveInteger(owner, 'maxEntries', opts.maxEntries);
    const maxBytes = requirePositiveInteger(owner, 'maxBytes', opts.maxBytes);
    this.#ttlMs = requireDuration(owner, 'ttlMs', opts.ttlMs);
    this.#now = opts.now ?? Date.now;
    this.#maxEntries = maxEntries ?? Number.POSITIVE_INFINITY;
    this.#lru = new LRUCache<string, Slot>({
      // No lru-cache `max`: it preallocates ~50 bytes of arrays per slot (5 MB for 100,000) up
      // front; the entry cap is enforced in set() instead.
      // maxEntrySize defaults to maxSize: lru-cache refuses (and drops the old value of) any single
      // entry larger than the whole budget instead of evicting everything else for it.
      maxSize: maxBytes,
      // lru-cache needs a positive size; an empty value counts as one byte.
      sizeCalculation: (slot) => Math.max(1, slot.bytes.byteLength),
      // The default lifetime (lru-cache wants a positive integer; with 0 every set is dropped
      // anyway). set() passes each entry's own, never longer.
      ttl: Math.floor(this.#ttlMs) || undefined,
      perf: { now: this.#now },
      ttlResolution: 0,
      noDeleteOnStaleGet: true,
    });
  }

  get(key: string, opts: GetOptions = {}): CachedItem | undefined {
    const status: LRUCache.Status<string, Slot> = {};
    const slot = this.#lru.get(key, { allowStale: opts.allowStale ?? false, status });
    if (!slot) return undefined;
    return { bytes: slot.bytes, meta: slot.meta, stale: status.returnedStale === true };
  }

  /** Stores `bytes` until `meta.expiresAt` (at most `ttlMs`). Already expired or oversized values replace nothing: the key is dropped. */
  set(key: string, bytes: Uint8Array, meta: EntryMeta): void {
    const ttl = Math.floor(Math.min(this.#ttlMs, meta.expiresAt - this.#now()));
    // lru-cache reads ttl 0 as "never expires"; a value with no freshness left is not worth memory.
    if (!(ttl > 0)) {
      this.#lru.delete(key);
      return;
    }
    this.#lru.set(key, { bytes, meta }, { ttl });
    while (this.#lru.size > this.#maxEntries) this.#lru.pop(); // the least recently used
  }

  delete(key: string): void {
    this.#lru.delete(key);
  }

  clear(): void {
    this.#lru.clear();
  }

  get stats(): { entries: number; bytes: number } {
    return { entries: this.#lru.size, bytes: this.#lru.calculatedSize };
  }
}
