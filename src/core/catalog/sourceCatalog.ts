import type { DiskCache } from '../cache/diskCache';
import { AbortedError, ExpiredError, HttpError, InternalError, MarketplaceError, NetworkError, TimeoutError, TrustStoreError } from '../errors';
import { LIMITS, parsePublicKey } from '../format';
import type { Metrics } from '../metrics/metrics';
import type { FetchResult, Fetcher } from '../net/types';
import { displayText } from '../util/displayText';
import { Emitter } from '../util/emitter';
import { identityOf, type MarketplaceIdentity, type TrustRecord, type TrustStore } from './trustStore';
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

/**
 * What a catalog is read for, which decides what may be served when the marketplace cannot be asked:
 * - `browse`: listing and searching. The cached catalog is served stale while it is revalidated, and
 *   even past its `expires` when the marketplace is unreachable (status() says `expired`).
 * - `trust`: anything that hands out or acts on package bytes (install, open, download). Only an
 *   unexpired catalog is used; an expired one must be renewed by the marketplace first, and if it
 *   cannot be, the read fails with E_EXPIRED ("could not revalidate"), whatever cut the marketplace off.
 * - `revalidate`: verification. The marketplace must confirm the catalog now (a 200 or a 304); any
 *   failure to do so fails the read.
 */
export type CatalogReadMode = 'browse' | 'trust' | 'revalidate';

export interface CatalogReadOptions {
  mode?: CatalogReadMode;
  /** Revalidate with the marketplace now even when the catalog is fresh (browse and trust). */
  force?: boolean;
  signal?: AbortSignal;
  /** A read no user asked for (the catalog behind a package read): not counted as a memory-tier hit. */
  internal?: boolean;
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
 * signature verifies; a lower version than one accepted before is refused (rollback), and so is the
 * same version with another signed payload; an expired catalog is only ever browsed (see
 * CatalogReadMode).
 */
export class SourceCatalog {
  readonly id: string;
  /** The marketplace's identity for rollback memory: its URL and pinned catalog key. */
  readonly identity: MarketplaceIdentity;
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
    this.identity = identityOf(config.url, key.keyid);
    this.cacheKey = `catalog:${config.id}:${config.url}`;
  }

  private get subject(): string {
    return `catalog of "${this.config.name ?? this.config.id}" (${this.config.url})`;
  }

  /**
   * The catalog to use now for `mode` (default `browse`); throws when there is none usable for it.
   * `internal` lookups (the catalog behind a package read) are not counted as memory-tier hits:
   * they would swamp the hit ratio with reads no user asked for.
   */
  async get(opts: CatalogReadOptions = {}): Promise<VerifiedCatalog> {
    const { metrics, now } = this.deps;
    const mode = opts.mode ?? 'browse';
    if (mode === 'revalidate') {
      if (!this.current && !this.loadedFromDisk) await this.loadFromDisk();
      return this.revalidate(opts.signal).catch((err: unknown) => {
        throw this.couldNotRevalidate(err);
      });
    }
    const inMemory = this.current;
    if (inMemory && !opts.force && now() < inMemory.freshUntil && !this.isExpired(inMemory)) {
      if (!opts.internal) metrics.hit('memory');
      return inMemory;
    }
    if (!inMemory) {
      metrics.miss('memory');
      if (!this.loadedFromDisk) await this.loadFromDisk();
    }
    const c = this.current;
    if (c && !opts.force && !this.isExpired(c)) {
      if (now() < c.freshUntil) return c;
      // Stale-while-revalidate: an unexpired catalog may be used while the marketplace is asked.
      this.state = 'stale';
      this.revalidate().catch(() => undefined);
      return c;
    }
    // Nothing cached, a forced refresh, or an expired catalog: the marketplace must answer now.
    try {
      return await this.revalidate(opts.signal);
    } catch (err) {
      const last = this.current;
      if (!last || err instanceof AbortedError) throw err;
      if (!this.isExpired(last)) {
        // A refused or failed answer keeps the last good catalog while it is unexpired.
        return last;
      }
      // Expired: browsing may go on while the marketplace is unreachable; trusting may not, ever.
      if (mode === 'browse' && isUnreachable(err)) return last;
      if (mode === 'browse') throw err;
      throw this.cannotTrustExpired(last, err);
    }
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

  /**
   * Forgets this marketplace entirely (after its rollback memory was reset): the catalog in memory
   * and on disk, which would otherwise still bound the versions accepted next.
   */
  async forget(): Promise<void> {
    this.reset();
    await this.deps.disk.delete(this.cacheKey);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private isExpired(c: VerifiedCatalog): boolean {
    return Date.parse(c.catalog.expires) <= this.deps.now();
  }

  private cannotTrustExpired(last: VerifiedCatalog, err: unknown): ExpiredError {
    const why = err instanceof MarketplaceError ? `${err.code}: ${err.message}` : String(err);
    return new ExpiredError(
      `${this.subject}: the cached catalog expired at ${last.catalog.expires} and could not be revalidated (${why}); ` +
        'an expired catalog may be browsed but is never used to install or verify — try again once the marketplace answers',
      { cause: err },
    );
  }

  /** A failure to reach the marketplace, said to be one when verification needed it to answer. */
  private couldNotRevalidate(err: unknown): unknown {
    if (!isUnreachable(err)) return err; // a refusal (signature, rollback, expiry, format) says it already
    const e = err as MarketplaceError;
    const message = `${this.subject}: could not revalidate the catalog, and verification needs the marketplace to confirm it now: ${e.message}`;
    if (e instanceof HttpError) return new HttpError(message, e.status, e.url);
    if (e instanceof TimeoutError) return new TimeoutError(message, { cause: e });
    return new NetworkError(message, { cause: e });
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
      checkRollback(v, trust.get(this.identity), this.subject);
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

  /** Asks the marketplace; throws (and records in status()) whatever prevented a confirmed, acceptable catalog. */
  private async fetchFromNetwork(signal?: AbortSignal): Promise<VerifiedCatalog> {
    const { fetcher, metrics } = this.deps;
    const c = this.current;
    const started = performance.now();
    let res: FetchResult;
    try {
      await this.ensureRollbackMemory();
      res = await fetcher.get('catalog.json', {
        maxBytes: LIMITS.maxCatalogBytes,
        ...(c?.etag ? { etag: c.etag } : {}),
        ...(c?.lastModified ? { lastModified: c.lastModified } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw this.failed(err, (e) => new InternalError(`${this.subject}: ${e}`, { cause: err }));
    }
    metrics.latency('catalog', performance.now() - started);
    try {
      return await this.acceptResponse(res, c);
    } catch (err) {
      // Verification turns bad bytes into FormatError & co.; what else fails here is local (disk, trust file).
      throw this.failed(err, (e) => new InternalError(`${this.subject}: could not record the catalog: ${e}`, { cause: err }));
    }
  }

  private async acceptResponse(res: FetchResult, c: Current | undefined): Promise<VerifiedCatalog> {
    const { disk, trust, metrics, now, ttlMs } = this.deps;
    if (res.status === 304) {
      if (!c) throw new NetworkError(`${this.subject}: the server answered 304 to an unconditional request`);
      metrics.hit('network');
      checkExpiry(c, now(), this.subject);
      const meta = await disk.refresh(this.cacheKey, { ttlMs, ...validators(res) });
      this.current = { ...c, ...validators(res), freshUntil: meta?.expiresAt ?? now() + ttlMs, checkedAt: now() };
      this.accepted();
      return this.current;
    }
    metrics.miss('network');
    const v = verifyCatalogBytes(res.bytes, this.trusted, this.subject);
    checkRollback(v, this.floor(), this.subject);
    checkExpiry(v, now(), this.subject);
    await trust.accept(this.identity, { version: v.catalog.version, payloadSha256: v.payloadSha256 });
    const stored = await disk.set(this.cacheKey, res.bytes, { ttlMs, ...validators(res) });
    metrics.compressed(stored.rawBytes, stored.storedBytes);
    const changed = !c || c.payloadSha256 !== v.payloadSha256;
    this.current = { ...v, ...validators(res), freshUntil: stored.meta.expiresAt, checkedAt: now() };
    this.accepted();
    if (changed) this.changed.fire(this.current);
    return this.current;
  }

  /**
   * The lowest catalog this marketplace may serve next: the remembered record, or the verified
   * catalog held now if that is newer (a trust file deleted behind the client's back forgets nothing
   * the cache still proves).
   */
  private floor(): TrustRecord | undefined {
    const remembered = this.deps.trust.get(this.identity);
    const c = this.current;
    const held = c ? { version: c.catalog.version, payloadSha256: c.payloadSha256 } : undefined;
    if (!remembered || !held) return remembered ?? held;
    return held.version > remembered.version ? held : remembered;
  }

  /**
   * When the trust file was damaged and holds nothing for this marketplace, rebuilds its record from
   * the newest verified catalog in the cache (or, for a file of the older format, from the version it
   * kept under this source's id), or refuses: accepting a catalog with no memory of the last one would
   * let a rollback through unnoticed.
   */
  private async ensureRollbackMemory(): Promise<void> {
    const { trust } = this.deps;
    const damage = trust.recoveryNeeded(this.identity, this.id);
    if (damage === undefined) return;
    if (!this.current && !this.loadedFromDisk) await this.loadFromDisk();
    const c = this.current;
    if (c) {
      await trust.accept(this.identity, { version: c.catalog.version, payloadSha256: c.payloadSha256 });
      return;
    }
    // An older-format file remembered this source's version (by its id): a floor, without a digest.
    const floor = trust.legacyFloor(this.id);
    if (floor !== undefined) {
      await trust.accept(this.identity, { version: floor, payloadSha256: '' });
      return;
    }
    throw new TrustStoreError(
      `${this.subject}: the rollback memory in ${trust.file} cannot be used (${displayText(damage, { maxLength: 300 })}) and no verified copy ` +
        'of this catalog is cached to rebuild it from, so an older catalog could not be told from the current one; refusing it. ' +
        `If you trust the marketplace as it is now, reset its memory: template-marketplace trust reset --source ${this.config.url} --key <its key> ` +
        '(or reset all: template-marketplace trust reset)',
      trust.file,
    );
  }

  /** Records a failed revalidation in status() and returns it as a MarketplaceError. */
  private failed(err: unknown, unexpected: (message: string) => MarketplaceError): MarketplaceError {
    const error = err instanceof MarketplaceError ? err : unexpected(displayText(String((err as Error)?.message ?? err), { maxLength: 300 }));
    this.deps.metrics.error(error.code);
    this.lastError = error;
    this.state = isUnreachable(error) ? 'offline' : 'error';
    return error;
  }

  private accepted(): void {
    this.state = 'fresh';
    this.lastError = undefined;
  }
}

/**
 * Failures that say nothing about the marketplace's content, only that it could not be asked: the
 * connection (reset, refused, DNS, TLS, truncated), a timeout or a too-slow transfer, and the
 * statuses that mean "down or overloaded". The content refusals (signature, rollback, expiry,
 * format, size) are not: the marketplace did answer, with something unacceptable.
 */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof NetworkError || err instanceof TimeoutError) return true;
  return err instanceof HttpError && (err.status >= 500 || err.status === 429);
}

function validators(v: { etag?: string; lastModified?: string }): { etag?: string; lastModified?: string } {
  return { ...(v.etag ? { etag: v.etag } : {}), ...(v.lastModified ? { lastModified: v.lastModified } : {}) };
}
