import type { DiskCache } from '../cache/diskCache';
import type { RecordListing } from '../cache/types';
import type { MemoryCache } from '../cache/memoryCache';
import type { ListedTemplate } from '../catalog/types';
import { IntegrityError } from '../errors';
import type { Tier } from '../metrics/metrics';
import type { Metrics } from '../metrics/metrics';
import type { Fetcher } from '../net/types';
import type { VerifyItem, Verifier } from '../verify/verifier';
import { SharedFlights } from '../util/sharedFlight';

export interface PackageRead {
  bytes: Uint8Array;
  /** The tier that served the bytes. */
  from: Tier;
}

export interface PackageGetOptions {
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | undefined) => void;
  /**
   * For a batch: the disk tier's listing (listDisk), asked for by the first package not in memory
   * and shared by the rest, so a package not on disk is a miss without a failed `open`.
   */
  listed?: () => Promise<RecordListing | undefined>;
}

export interface PackageSource {
  fetcher: Fetcher;
  publisherKeys: ReadonlyMap<string, Uint8Array>;
}

export interface PackageStoreDeps {
  memory: MemoryCache;
  disk: DiskCache;
  verifier: Verifier;
  metrics: Metrics;
  ttlMs: number;
  now: () => number;
}

/**
 * Template packages through the tiers: memory (L1), disk (L2), marketplace (L3). Packages are
 * content-addressed by their catalog SHA-256, so a cached copy never goes out of date; only bytes that
 * passed the catalog's size, digest and publisher-signature checks are ever cached. Concurrent reads of
 * the same package share one download.
 */
export class PackageStore {
  private readonly flights = new SharedFlights<PackageRead>();

  constructor(private readonly deps: PackageStoreDeps) {}

  static key(t: Pick<ListedTemplate, 'sha256'>): string {
    return `pkg:${t.sha256}`;
  }

  /** Whether the package is in memory or on disk, without touching the network. */
  async isCached(t: ListedTemplate): Promise<boolean> {
    const key = PackageStore.key(t);
    return this.deps.memory.get(key) !== undefined || (await this.deps.disk.get(key)) !== undefined;
  }

  get(t: ListedTemplate, source: PackageSource, opts: PackageGetOptions = {}): Promise<PackageRead> {
    return this.flights.run(PackageStore.key(t), (signal) => this.read(t, source, signal, opts), opts.signal);
  }

  /** A listing of the disk tier for a batch (see PackageGetOptions.listed); `undefined` when it would not pay. */
  listDisk(batchSize: number): Promise<RecordListing | undefined> {
    // Listing costs 1.6-1.9 µs a name, a failed open 18-35 µs at concurrency 8 (64,000 records,
    // 1,000 opens, this machine): up to 8 records per package of the batch, the listing never
    // costs more than the opens it saves, however full the cache.
    return this.deps.disk.listRecords(Math.max(1024, batchSize * 8));
  }

  private async read(t: ListedTemplate, source: PackageSource, signal: AbortSignal, opts: PackageGetOptions): Promise<PackageRead> {
    const { onProgress } = opts;
    const { memory, disk, metrics, ttlMs, now } = this.deps;
    const key = PackageStore.key(t);
    const item = this.verifyItem(t, source);

    const inMemory = memory.get(key);
    if (inMemory && inMemory.meta.sha256 === t.sha256) {
      metrics.hit('memory');
      // The bytes were checked when cached; the signature check is a result-cache lookup.
      await this.mustVerify(item);
      metrics.served(inMemory.bytes.length);
      return { bytes: inMemory.bytes, from: 'memory' };
    }
    metrics.miss('memory');

    // The disk tier checks the bytes against their digest on every read; a corrupt entry is a miss.
    const listed = await opts.listed?.();
    const onDisk = await disk.get(key, { sha256: t.sha256, size: t.size, ...(listed ? { listed } : {}) });
    if (onDisk && onDisk.meta.sha256 === t.sha256 && onDisk.meta.size === t.size) {
      metrics.hit('disk');
      await this.mustVerify(item);
      memory.set(key, onDisk.bytes, onDisk.meta);
      metrics.served(onDisk.bytes.length);
      return { bytes: onDisk.bytes, from: 'disk' };
    }
    metrics.miss('disk');

    const started = performance.now();
    const res = await source.fetcher.get(t.path, { maxBytes: t.size, signal, ...(onProgress ? { onProgress } : {}) });
    if (res.status !== 200) throw new IntegrityError(`template "${t.ref}": unexpected ${res.status} for a package`, t.ref);
    metrics.miss('network');
    await this.mustVerify({ ...item, bytes: res.bytes, size: t.size });
    metrics.latency('download', performance.now() - started);
    metrics.downloaded(res.bytes.length);
    // Verified just now against t.sha256: the disk tier need not hash the bytes again.
    const stored = await disk.set(key, res.bytes, { ttlMs, sha256: t.sha256 });
    metrics.compressed(stored.rawBytes, stored.storedBytes);
    memory.set(key, res.bytes, { ...stored.meta, storedAt: now() });
    metrics.served(res.bytes.length);
    return { bytes: res.bytes, from: 'network' };
  }

  verifyItem(t: ListedTemplate, source: PackageSource): VerifyItem {
    const publicKey = source.publisherKeys.get(t.publisher);
    // parseCatalog guarantees every publisher is listed; this is a defensive check.
    if (!publicKey) throw new IntegrityError(`template "${t.ref}": publisher ${t.publisher.slice(0, 12)}… is not in the catalog`, t.ref);
    return { id: t.ref, publicKey, sha256: t.sha256, signature: t.signature };
  }

  private async mustVerify(item: VerifyItem): Promise<void> {
    const started = performance.now();
    const result = await this.deps.verifier.verify(item);
    this.deps.metrics.latency('verify', performance.now() - started);
    this.deps.metrics.verified(result.ok ? { ok: true, cached: result.cached } : { ok: false, cached: result.cached, code: result.error.code });
    if (!result.ok) throw result.error;
  }
}
