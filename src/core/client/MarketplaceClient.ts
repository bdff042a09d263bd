import pLimit from 'p-limit';
import { DiskCache } from '../cache/diskCache';
import { MemoryCache } from '../cache/memoryCache';
import { SearchIndex, type SearchQuery, type SearchHit } from '../catalog/searchIndex';
import { SourceCatalog } from '../catalog/sourceCatalog';
import { TrustStore } from '../catalog/trustStore';
import type { ListedTemplate, SourceStatus } from '../catalog/types';
import { AbortedError, MarketplaceError, NetworkError, NotFoundError } from '../errors';
import { readPackage, type TemplatePackage } from '../format';
import { installPackage, planInstall, renderPackage, type ConflictPolicy, type InstallPlan, type InstallResult, type RenderedPackage } from '../install/installer';
import { Metrics } from '../metrics/metrics';
import type { CacheLimits } from '../stats/types';
import { createFetcher } from '../net/createFetcher';
import { HttpClient } from '../net/httpClient';
import type { Fetcher } from '../net/types';
import { Emitter, type Disposable } from '../util/emitter';
import { throwIfAborted } from '../util/abort';
import { Verifier, type VerifyItem } from '../verify/verifier';
import type { BatchItemResult, BatchOptions, BatchResult, BatchTotals, VerifyOutcome } from './batch';
import { DEFAULTS, checkOptions, type MarketplaceClientOptions } from './options';
import { PackageStore, type PackageSource } from './packageStore';

export interface SearchResult {
  total: number;
  hits: SearchHit<ListedTemplate>[];
}

/**
 * The engine's one entry point. Reads catalogs and packages through the memory, disk and network
 * tiers, verifies everything it hands out, and records metrics the UI can subscribe to.
 *
 * ```ts
 * const client = await MarketplaceClient.open({ sources, cacheDir });
 * const { hits } = await client.search({ query: 'readme' });
 * await client.install(hits[0].entry.ref, workspaceFolder, { projectName: 'demo' });
 * await client.close();
 * ```
 */
export class MarketplaceClient {
  readonly metrics: Metrics;
  private readonly sources = new Map<string, SourceCatalog>();
  private readonly fetchers = new Map<string, Fetcher>();
  private readonly packages: PackageStore;
  private index: { key: string; index: SearchIndex<ListedTemplate>; byRef: Map<string, ListedTemplate> } | undefined;
  private prefetched = false;
  private closed = false;
  private readonly background = new Set<Promise<unknown>>();
  private readonly changed = new Emitter<void>();
  /** Fires when any source's catalog changes (a new version was accepted). */
  readonly onDidChangeCatalogs = this.changed.event;

  private constructor(
    private readonly options: MarketplaceClientOptions,
    private readonly http: HttpClient,
    private readonly memory: MemoryCache,
    private readonly disk: DiskCache,
    private readonly verifier: Verifier,
    trust: TrustStore,
  ) {
    const now = options.now ?? Date.now;
    this.metrics = options.metrics ?? new Metrics();
    this.packages = new PackageStore({
      memory,
      disk,
      verifier,
      metrics: this.metrics,
      ttlMs: options.packageTtlMs ?? DEFAULTS.packageTtlMs,
      now,
    });
    for (const config of options.sources) {
      const fetcher = createFetcher(config.url, http, config.headers);
      const source = new SourceCatalog(config, {
        fetcher,
        disk,
        trust,
        metrics: this.metrics,
        ttlMs: options.catalogTtlMs ?? DEFAULTS.catalogTtlMs,
        now,
      });
      source.onDidChange(() => this.changed.fire());
      this.fetchers.set(config.id, fetcher);
      this.sources.set(config.id, source);
    }
  }

  static async open(options: MarketplaceClientOptions): Promise<MarketplaceClient> {
    checkOptions(options);
    const now = options.now ?? Date.now;
    const memory = new MemoryCache({
      maxEntries: options.memory?.maxEntries ?? DEFAULTS.memoryMaxEntries,
      maxBytes: options.memory?.maxBytes ?? DEFAULTS.memoryMaxBytes,
      ttlMs: options.packageTtlMs ?? DEFAULTS.packageTtlMs,
      now,
    });
    const disk = await DiskCache.open({
      dir: `${options.cacheDir}/cache`,
      maxBytes: options.disk?.maxBytes ?? DEFAULTS.diskMaxBytes,
      ttlMs: options.packageTtlMs ?? DEFAULTS.packageTtlMs,
      now,
    });
    const trust = await TrustStore.open(options.cacheDir);
    const verifier = new Verifier(options.verifier?.cacheSize ? { cacheSize: options.verifier.cacheSize } : {});
    return new MarketplaceClient(options, new HttpClient(options.http), memory, disk, verifier, trust);
  }

  // ---- Discovery -------------------------------------------------------------------------------

  /**
   * Loads every source's catalog (from the tiers; `force` revalidates with the marketplaces now).
   * A source that fails does not stop the others: see `status()`.
   */
  async refresh(opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<SourceStatus[]> {
    this.checkOpen();
    await Promise.all([...this.sources.values()].map((s) => s.get(opts).catch(() => undefined)));
    this.schedulePrefetch();
    return this.status();
  }

  status(): SourceStatus[] {
    return [...this.sources.values()].map((s) => s.status());
  }

  /** Every template of every source that has a usable catalog, most downloaded first. */
  async list(): Promise<ListedTemplate[]> {
    return (await this.search({ sort: 'downloads', limit: Number.MAX_SAFE_INTEGER })).hits.map((h) => h.entry);
  }

  /** Ranked search over name, description and tags; the index is built once per catalog version. */
  async search(query: SearchQuery = {}): Promise<SearchResult> {
    const started = performance.now();
    const { index } = await this.currentIndex();
    const result = index.search(query);
    this.metrics.latency('search', performance.now() - started);
    return result;
  }

  async categories(): Promise<{ name: string; count: number }[]> {
    return (await this.currentIndex()).index.categories();
  }

  /** Looks a template up by `<source>/<id>` or a bare id (the first source listing it wins). */
  async get(ref: string): Promise<ListedTemplate> {
    const { byRef } = await this.currentIndex({ internal: true });
    const found = byRef.get(ref) ?? [...this.sources.keys()].map((s) => byRef.get(`${s}/${ref}`)).find(Boolean);
    if (!found) throw new NotFoundError(`no template "${ref}" in ${this.describeSources()}; refresh the catalogs or check the id`);
    return found;
  }

  // ---- Packages --------------------------------------------------------------------------------

  /** The verified package bytes of one template, from the nearest tier. */
  async getPackage(ref: string, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const t = await this.get(ref);
    return (await this.packages.get(t, await this.packageSource(t), opts)).bytes;
  }

  /** The package unpacked and checked (paths, limits, template.json). */
  async open(ref: string, opts: { signal?: AbortSignal } = {}): Promise<TemplatePackage> {
    const t = await this.get(ref);
    const { bytes } = await this.packages.get(t, await this.packageSource(t), opts);
    return readPackage(bytes, `template "${t.ref}"`);
  }

  /**
   * Downloads many templates in parallel (p-limit, default 8 at a time). Every item gets its own
   * result; one failure never sinks the batch. Concurrent batches share downloads of the same package.
   */
  async downloadBatch(refs: readonly string[], opts: BatchOptions = {}): Promise<BatchResult> {
    this.checkOpen();
    const started = performance.now();
    const limit = pLimit(opts.concurrency ?? this.options.concurrency ?? DEFAULTS.concurrency);
    const totals: BatchTotals = { total: refs.length, done: 0, failed: 0, bytes: 0 };
    const snapshot = (): BatchTotals => ({ ...totals });
    const emit = opts.onProgress ?? (() => undefined);
    const items = await Promise.all(
      refs.map((ref) =>
        limit(async (): Promise<BatchItemResult> => {
          try {
            throwIfAborted(opts.signal);
            emit({ type: 'start', ref, totals: snapshot() });
            const t = await this.get(ref);
            const read = await this.packages.get(t, await this.packageSource(t), {
              ...(opts.signal ? { signal: opts.signal } : {}),
              onProgress: (received, size) => emit({ type: 'bytes', ref, received, size, totals: snapshot() }),
            });
            totals.done++;
            totals.bytes += read.bytes.length;
            emit({ type: 'done', ref, from: read.from, bytes: read.bytes.length, totals: snapshot() });
            return { ref, ok: true, template: t, bytes: read.bytes, from: read.from };
          } catch (err) {
            const error = asMarketplaceError(err);
            totals.failed++;
            this.metrics.error(error.code);
            emit({ type: 'failed', ref, error, totals: snapshot() });
            return { ref, ok: false, error };
          }
        }),
      ),
    );
    return { items, totals: snapshot(), elapsedMs: performance.now() - started };
  }

  /**
   * Checks each template's package against its catalog entry: size, SHA-256 and the publisher's
   * Ed25519 signature. Packages are read through the tiers (downloaded when not cached). Signature
   * outcomes are cached by (key, digest, signature), so repeating a verification costs microseconds.
   */
  async verifyBatch(refs: readonly string[], opts: BatchOptions = {}): Promise<VerifyOutcome[]> {
    const downloads = await this.downloadBatch(refs, opts);
    const started = performance.now();
    const results: VerifyOutcome[] = [];
    const pending: { index: number; item: VerifyItem }[] = [];
    for (const [index, r] of downloads.items.entries()) {
      // A package refused while downloading (bad signature, size or digest) failed verification.
      if (!r.ok) results[index] = { ref: r.ref, ok: false, cached: false, error: r.error };
      else pending.push({ index, item: await this.bindingItem(r.template, r.bytes) });
    }
    const verified = await this.verifier.verifyBatch(pending.map((p) => p.item));
    verified.forEach((v, i) => {
      const ref = downloads.items[pending[i]!.index]!.ref; // as the caller wrote it, like downloadBatch
      results[pending[i]!.index] = v.ok ? { ref, ok: true, cached: v.cached } : { ref, ok: false, cached: v.cached, error: v.error };
      this.metrics.verified(v.ok ? { ok: true, cached: v.cached } : { ok: false, cached: v.cached, code: v.error.code });
    });
    this.metrics.latency('verifyBatch', performance.now() - started);
    return results;
  }

  /**
   * Verifies, unpacks (strict path and size checks) and installs a template below `targetDir`, filling
   * its variables. Existing files are never overwritten silently: by default the install stops with a
   * ConflictError naming them; pass `onConflict: 'skip' | 'overwrite'` to decide.
   */
  async install(
    ref: string,
    targetDir: string,
    variables: Record<string, string> = {},
    opts: { onConflict?: ConflictPolicy; signal?: AbortSignal } = {},
  ): Promise<InstallResult> {
    this.checkOpen();
    return this.metrics.time('install', async () => {
      const pkg = await this.open(ref, opts.signal ? { signal: opts.signal } : {});
      return installPackage(pkg, { targetDir, variables, ...opts });
    });
  }

  /** The template rendered with `variables` (defaults for the rest), nothing written: for previews. */
  async render(ref: string, variables: Record<string, string> = {}, opts: { signal?: AbortSignal } = {}): Promise<RenderedPackage> {
    return renderPackage(await this.open(ref, opts), variables);
  }

  /** What installing into `targetDir` would write, and which destinations already exist. */
  async plan(ref: string, targetDir: string, variables: Record<string, string> = {}, opts: { signal?: AbortSignal } = {}): Promise<InstallPlan> {
    return planInstall(await this.open(ref, opts), targetDir, variables);
  }

  // ---- Cache management -----------------------------------------------------------------------

  /** Downloads the given templates into the caches ahead of use. */
  async warmup(refs: readonly string[], opts: BatchOptions = {}): Promise<BatchResult> {
    return this.downloadBatch(refs, opts);
  }

  /** Warms the caches with the `count` most downloaded templates across all sources. */
  async prefetchPopular(count: number, opts: BatchOptions = {}): Promise<BatchResult> {
    const popular = (await this.search({ sort: 'downloads', limit: count })).hits.map((h) => h.entry.ref);
    return this.warmup(popular, opts);
  }

  /** Empties the memory and disk caches. The rollback memory (trust file) is kept on purpose. */
  async clear(): Promise<void> {
    this.memory.clear();
    await this.disk.clear();
    for (const s of this.sources.values()) s.reset();
    this.index = undefined;
  }

  /** Removes expired and over-budget entries from the disk cache. */
  gc(): ReturnType<DiskCache['gc']> {
    return this.disk.gc();
  }

  async cacheStats(): Promise<{ memory: MemoryCache['stats']; disk: Awaited<ReturnType<DiskCache['stats']>> }> {
    return { memory: this.memory.stats, disk: await this.disk.stats() };
  }

  /** Entries and bytes in the memory tier: cheap, unlike `cacheStats()`, which scans the disk tier. */
  memoryStats(): MemoryCache['stats'] {
    return this.memory.stats;
  }

  /** The cache limits this client was opened with (what `cacheStats()` is measured against). */
  limits(): CacheLimits {
    return {
      memory: {
        maxEntries: this.options.memory?.maxEntries ?? DEFAULTS.memoryMaxEntries,
        maxBytes: this.options.memory?.maxBytes ?? DEFAULTS.memoryMaxBytes,
      },
      disk: { maxBytes: this.options.disk?.maxBytes ?? DEFAULTS.diskMaxBytes },
    };
  }

  /**
   * Opens another client on the same marketplaces with the same network and cache settings, but
   * its own cache folder, metrics and no background prefetch: for measurements that must leave this
   * client's caches as they are. The caller closes it.
   */
  openSibling(overrides: { cacheDir: string }): Promise<MarketplaceClient> {
    const { metrics: _ownMetrics, ...options } = this.options;
    return MarketplaceClient.open({ ...options, cacheDir: overrides.cacheDir, prefetchPopular: 0 });
  }

  onDidChangeMetrics(listener: Parameters<Metrics['subscribe']>[0]): Disposable {
    return this.metrics.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.background]);
    for (const s of this.sources.values()) s.dispose();
    this.changed.dispose();
    await Promise.allSettled([...this.fetchers.values()].map((f) => f.close()));
    await Promise.allSettled([this.http.close(), this.verifier.close(), this.disk.close()]);
  }

  // ---- Internals -------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new AbortedError('the marketplace client is closed');
  }

  private describeSources(): string {
    return [...this.sources.keys()].map((s) => `"${s}"`).join(', ');
  }

  private async bindingItem(t: ListedTemplate, bytes: Uint8Array): Promise<VerifyItem> {
    return { ...this.packages.verifyItem(t, await this.packageSource(t)), bytes, size: t.size };
  }

  private async packageSource(t: ListedTemplate): Promise<PackageSource> {
    const source = this.sources.get(t.source)!;
    const { publisherKeys } = await source.get({ internal: true });
    return { fetcher: this.fetchers.get(t.source)!, publisherKeys };
  }

  /** The search index over all usable catalogs, rebuilt only when a catalog version changes. */
  private async currentIndex(opts: { internal?: boolean } = {}): Promise<NonNullable<MarketplaceClient['index']>> {
    this.checkOpen();
    const loaded = await Promise.all(
      [...this.sources.values()].map(async (s) => ({ id: s.id, v: await s.get(opts).catch((err: unknown) => err as Error) })),
    );
    const usable = loaded.filter((l): l is { id: string; v: Exclude<typeof l.v, Error> } => !(l.v instanceof Error));
    if (usable.length === 0) {
      const first = loaded[0]?.v;
      if (loaded.length === 1 && first instanceof MarketplaceError) throw first;
      const reasons = loaded.map((l) => `${l.id}: ${(l.v as Error).message}`).join('; ');
      throw new NetworkError(`no marketplace catalog could be loaded (${reasons})`);
    }
    const key = usable.map((u) => `${u.id}@${u.v.sha256}`).join('|');
    if (this.index?.key !== key) {
      const all: ListedTemplate[] = [];
      for (const u of usable) {
        for (const t of u.v.catalog.templates) all.push({ ...t, source: u.id, ref: `${u.id}/${t.id}` });
      }
      this.index = { key, index: new SearchIndex(all), byRef: new Map(all.map((t) => [t.ref, t])) };
    }
    this.schedulePrefetch();
    return this.index;
  }

  private schedulePrefetch(): void {
    const count = this.options.prefetchPopular ?? DEFAULTS.prefetchPopular;
    if (this.prefetched || count <= 0 || this.closed) return;
    this.prefetched = true;
    const task = this.prefetchPopular(count, { concurrency: 2 }).catch(() => undefined);
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }
}

function asMarketplaceError(err: unknown): MarketplaceError {
  if (err instanceof MarketplaceError) return err;
  return new NetworkError((err as Error)?.message ?? String(err), { cause: err });
}
