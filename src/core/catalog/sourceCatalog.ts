import type { DiskCache } from '../cache/diskCache';
import { MarketplaceError, NetworkError, TimeoutError } from '../errors';
import { LIMITS, parsePublicKey } from '../format';
import type { Metrics } from '../metrics/metrics';
import type { Fetcher } from '../net/types';
import { Emitter } from '../util/emitter';
import type { TrustStore } from './trustStore';
import type { SourceConfig, SourceStatus, VerifiedCatalog } from './types';
import { checkExpiry, checkRollback, verifyCatalogBytes } from './verifyCatalog';

export interface SourceCatalogDeps {
  fetcher: Fetcher;
  disk: DiskCache;
  trust: TrustStore;
  metrics: Metrics;
  /** How long a verified catalog counts as fresh before it is revalidated. */
  ttlMs: number;
  now: () => number;
}

interface Current extends VerifiedCatalog {
  etag?: string;
  lastModified?: string;
  /** Until when the catalog counts as fresh (epoch ms). */
  freshUntil: number;
  checkedAt?: number;
}

/**
 * One marketplace's catalog, read through the tiers: the verified catalog in memory (L1), the
 * envelope on disk (L2), the marketplace (L3, revalidated with ETag / Last-Modified). Past its TTL
 * the catalog is served stale while one background revalidation runs. Nothing is used before its
 * signature verifies, a lower version than one accepted before is refused (rollback), and an expired
 * catalog is refused unless the marketplace is unreachable, when the cached copy is served marked so.
 */
export class SourceCatalog {
  readonly id: string;
  private readonly trusted: ReadonlyMap<string, Uint8Array>;
  private readonly cacheKey: string;
  private current: Current | undefined;
  private loadedFromDisk = false;
  private state: SourceStatus['state'] = 'empty';
  private lastError: Error | undefined;
  private revalidation: Promise<VerifiedCatalog> | undefined;
  private readonly changed = new Emitter<VerifiedCatalog>();
  /** Fires when a new catalog version is accepted (not on a mere revalidation). */
  readonly onDidChange = this.changed.event;

  constructor(
    readonly config: SourceConfig,
    private readonly deps: SourceCatalogDeps,
  ) {
    this.id = config.id;
    const key = parsePublicKey(config.publicKey, `source "${config.id}" publicKey`);
    this.trusted = new Map([[key.keyid, key.publicKey]]);
    this.cacheKey = `catalog:${config.id}:${config.url}`;
  }

  private get subject(): string {
    return `catalog of "${this.config.name ?? this.config.id}" (${this.config.url})`;
  }

  /**
   * The catalog to use now; throws only when there is no usable catalog at all. `internal` lookups
   * (the catalog behind a package read) are not counted as memory-tier hits: they would swamp the
   * hit ratio with reads no user asked for.
   */
  async get(opts: { force?: boolean; signal?: AbortSignal; internal?: boolean } = {}): Promise<VerifiedCatalog> {
    const { metrics, now } = this.deps;
    if (this.current && !opts.force) {
      if (now() < this.current.freshUntil) {
        if (!opts.internal) metrics.hit('memory');
        return this.current;
      }
    } else if (!this.current) {
      metrics.miss('memory');
    }
    if (!this.current && !this.loadedFromDisk) await this.loadFromDisk();
    const c = this.current;
    if (c && !opts.force) {
      if (now() < c.freshUntil && !this.isExpired(c)) return c;
      // Stale-while-revalidate; an expired catalog is never served while the network may say otherwise.
      if (!this.isExpired(c)) {
        this.state = 'stale';
        this.revalidate().catch(() => undefined);
        return c;
      }
    }
    return this.revalidate(opts.signal);
  }

  status(): SourceStatus {
    const c = this.current;
    return {
      id: this.id,
      name: this.config.name ?? c?.catalog.name ?? this.id,
      url: this.config.url,
      state: this.state,
      ...(c ? { version: c.catalog.version, expires: c.catalog.expires, ...(c.checkedAt ? { checkedAt: c.checkedAt } : {}) } : {}),
      expired: c ? this.isExpired(c) : false,
      templates: c?.catalog.templates.length ?? 0,
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  /** Forgets the in-memory catalog (after the caches were cleared). */
  reset(): void {
    this.current = undefined;
    this.loadedFromDisk = false;
    this.state = 'empty';
    this.lastError = undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private isExpired(c: VerifiedCatalog): boolean {
    return Date.parse(c.catalog.expires) <= this.deps.now();
  }

  private async loadFromDisk(): Promise<void> {
    this.loadedFromDisk = true;
    const { disk, metrics, trust } = this.deps;
    const item = await disk.get(this.cacheKey, { allowStale: true });
    if (!item) {
      metrics.miss('disk');
      return;
    }
    try {
      const v = verifyCatalogBytes(item.bytes, this.trusted, this.subject);
      checkRollback(v, trust.get(this.id), this.subject);
      metrics.hit('disk');
      this.current = { ...v, ...validators(item.meta), freshUntil: item.meta.expiresAt, checkedAt: item.meta.storedAt };
      this.state = item.stale ? 'stale' : 'fresh';
    } catch {
      // A cached catalog that no longer verifies (or was superseded) is dropped and fetched anew.
      metrics.miss('disk');
      await disk.delete(this.cacheKey);
    }
  }

  /** One revalidation at a time; callers share it. */
  private revalidate(signal?: AbortSignal): Promise<VerifiedCatalog> {
    if (!this.revalidation) {
      this.revalidation = this.fetchFromNetwork(signal).finally(() => {
        this.revalidation = undefined;
      });
    }
    return this.revalidation;
  }

  private async fetchFromNetwork(signal?: AbortSignal): Promise<VerifiedCatalog> {
    const { fetcher, disk, trust, metrics, now, ttlMs } = this.deps;
    const c = this.current;
    const started = performance.now();
    try {
      const res = await fetcher.get('catalog.json', {
        maxBytes: LIMITS.maxCatalogBytes,
        ...(c?.etag ? { etag: c.etag } : {}),
        ...(c?.lastModified ? { lastModified: c.lastModified } : {}),
        ...(signal ? { signal } : {}),
      });
      metrics.latency('catalog', performance.now() - started);
      if (res.status === 304 && c) {
        metrics.hit('network');
        checkExpiry(c, now(), this.subject);
        const meta = await disk.refresh(this.cacheKey, { ttlMs, ...validators(res) });
        this.current = { ...c, ...validators(res), freshUntil: meta?.expiresAt ?? now() + ttlMs, checkedAt: now() };
        this.accepted();
        return this.current;
      }
      if (res.status === 304) throw new NetworkError(`${this.subject}: the server answered 304 to an unconditional request`);
      metrics.miss('network');
      const v = verifyCatalogBytes(res.bytes, this.trusted, this.subject);
      checkRollback(v, trust.get(this.id), this.subject);
      checkExpiry(v, now(), this.subject);
      await trust.accept(this.id, { version: v.catalog.version, sha256: v.sha256 });
      const stored = await disk.set(this.cacheKey, res.bytes, { ttlMs, ...validators(res) });
      metrics.compressed(stored.rawBytes, stored.storedBytes);
      const changed = !c || c.sha256 !== v.sha256;
      this.current = { ...v, ...validators(res), freshUntil: stored.meta.expiresAt, checkedAt: now() };
      this.accepted();
      if (changed) this.changed.fire(this.current);
      return this.current;
    } catch (err) {
      // Anything that is not a MarketplaceError is rethrown below as a NetworkError: count it as one.
      metrics.error(err instanceof MarketplaceError ? err.code : 'E_NETWORK');
      this.lastError = err as Error;
      const unreachable = err instanceof NetworkError || err instanceof TimeoutError;
      this.state = unreachable ? 'offline' : 'error';
      // Offline: keep serving what we have, even expired (marked so in status()). Refused content
      // (signature, rollback, expiry) keeps the last good catalog unless that one has expired too.
      if (this.current && (unreachable || !this.isExpired(this.current))) return this.current;
      if (err instanceof MarketplaceError) throw err;
      throw new NetworkError(`${this.subject}: ${(err as Error).message}`, { cause: err });
    }
  }

  private accepted(): void {
    this.state = 'fresh';
    this.lastError = undefined;
  }
}

function validators(v: { etag?: string; lastModified?: string }): { etag?: string; lastModified?: string } {
  return { ...(v.etag ? { etag: v.etag } : {}), ...(v.lastModified ? { lastModified: v.lastModified } : {}) };
}
