import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import { DiskCache } from '../cache/diskCache';
import type { RecordListing } from '../cache/types';
import { MemoryCache } from '../cache/memoryCache';
import { mostRelated } from '../catalog/related';
import { SearchIndex, type SearchQuery, type SearchHit } from '../catalog/searchIndex';
import { SourceCatalog, type CatalogReadMode } from '../catalog/sourceCatalog';
import { TrustStore } from '../catalog/trustStore';
import type { ListedTemplate, SourceStatus, VerifiedCatalog } from '../catalog/types';
import { AbortedError, IntegrityError, InternalError, MarketplaceError, NotFoundError } from '../errors';
import { readPackage, type TemplateEntry, type TemplatePackage } from '../format';
import { displayText } from '../util/displayText';
import { installPackage, planInstall, renderPackage, type ConflictPolicy, type InstallPlan, type InstallResult, type RenderedPackage } from '../install/installer';
import { Metrics } from '../metrics/metrics';
import type { CacheLimits } from '../stats/types';
import { createFetcher } from '../net/createFetcher';
import { HttpClient } from '../net/httpClient';
import type { Fetcher } from '../net/types';
import { Emitter, type Disposable } from '../util/emitter';
import { throwIfAborted } from '../util/abort';
import { Verifier, type VerifyItem } from '../verify/verifier';
import type { BatchItemResult, BatchOptions, BatchProgress, BatchResult, BatchTotals, VerifyOutcome } from './batch';
import { DEFAULTS, checkOptions, type MarketplaceClientOptions } from './options';
import { PackageStore, type PackageSource } from './packageStore';
import { entryKey, readProvenance, recordUrl, type ProvenanceEntry } from '../provenance';
import { installedStatus, type InstalledStatus } from '../update/status';
import { digestInside } from './installedFiles';
import { computeUpdateEdits, type UpdateEdits, type UpdateProposal } from '../update/proposal';
import { verifyInstalled, type InstalledVerification } from './verifyInstalled';
import { applyUpdate, assertUpdateFresh, prepareUpdates, type ApplyUpdateOptions, type PrepareUpdateOptions, type UpdateDeps, type UpdateResult } from './updates';

/** Each template recorded in a folder, with how it stands now. */
export interface InstalledStatusReport {
  entries: { key: string; entry: ProvenanceEntry; status: InstalledStatus }[];
}

export interface SearchResult {
  total: number;
  hits: SearchHit<ListedTemplate>[];
}

/**
 * What package bytes are read for. `install` (the default) trusts only an unexpired catalog (renewed
 * from the marketplace first if it has expired); `browse` (previews) may use an expired catalog
 * while the marketplace is unreachable, as listing does. Either way the package is checked against
 * its catalog entry (size, SHA-256, publisher signature) before use.
 */
export type ReadPurpose = 'browse' | 'install';

/** A template resolved in one trusted catalog, with what is needed to fetch and check its package. */
interface Resolved {
  template: ListedTemplate;
  source: PackageSource;
}

type CatalogOf = (source: SourceCatalog) => Promise<VerifiedCatalog>;

/** Related templates are fetched two at a time: enough to finish soon, little enough to leave the user's own downloads the bandwidth. */
const RELATED_PREFETCH_CONCURRENCY = 2;
/**
 * A batch this big lists the disk tier once (PackageStore.listDisk) rather than probing it with a
 * failed `open` per package it then downloads; that probe was a tenth of a cold batch of 1,000
 * small packages. A smaller batch keeps the probes: a listing costs a folder's worth of names.
 */
const LIST_DISK_MIN_BATCH = 32;

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
  /** The running related-template prefetch, which the next one (or close) cancels. */
  private relatedPrefetch: AbortController | undefined;
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
    private readonly trust: TrustStore,
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
      // Only an injected clock: on the real one, file times come from the file system for free.
      ...(options.now ? { now: options.now } : {}),
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

  /**
   * Has every source's marketplace confirm its catalog now (a 304 when unchanged). Unlike refresh(),
   * which falls back on cached catalogs for browsing, a source that cannot be revalidated is an
   * error here: the first failure is thrown (status() shows every source). verifyBatch revalidates
   * the sources it needs by itself; this is for callers that must check the catalog even when there
   * is no package to verify (the CLI's `verify`).
   */
  async revalidate(opts: { signal?: AbortSignal } = {}): Promise<SourceStatus[]> {
    this.checkOpen();
    const outcomes = await Promise.allSettled(
      [...this.sources.values()].map((s) => s.get({ mode: 'revalidate', ...(opts.signal ? { signal: opts.signal } : {}) })),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw asMarketplaceError(failed.reason);
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
    if (!found) throw this.notFound(ref);
    return found;
  }

  // ---- Packages --------------------------------------------------------------------------------

  /**
   * The verified package bytes of one template, from the nearest tier. By default (`purpose:
   * 'install'`) only an unexpired catalog vouches for them: see ReadPurpose.
   */
  async getPackage(ref: string, opts: { signal?: AbortSignal; purpose?: ReadPurpose } = {}): Promise<Uint8Array> {
    const { template, source } = await this.resolve(ref, this.catalogFor(opts.purpose === 'browse' ? 'browse' : 'trust', opts.signal));
    return (await this.packages.get(template, source, opts.signal ? { signal: opts.signal } : {})).bytes;
  }

  /**
   * The package unpacked and checked (paths, limits, template.json). Pass `purpose: 'browse'` for
   * a preview that may show an expired catalog's package while offline; see ReadPurpose.
   */
  async open(ref: string, opts: { signal?: AbortSignal; purpose?: ReadPurpose } = {}): Promise<TemplatePackage> {
    return (await this.openResolved(ref, opts)).pkg;
  }

  /** `open`, also returning the catalog entry the package was checked against. */
  private async openResolved(
    ref: string,
    opts: { signal?: AbortSignal; purpose?: ReadPurpose },
  ): Promise<{ pkg: TemplatePackage; template: ListedTemplate; source: PackageSource }> {
    const { template, source } = await this.resolve(ref, this.catalogFor(opts.purpose === 'browse' ? 'browse' : 'trust', opts.signal));
    const { bytes } = await this.packages.get(template, source, opts.signal ? { signal: opts.signal } : {});
    this.scheduleRelatedPrefetch(template.ref);
    const pkg = readPackage(bytes, `template "${template.ref}"`);
    // The publisher signs the package digest only; the package must also say it is what the catalog
    // lists it as, so a genuine package of one template is never installed under another's name.
    if (pkg.manifest.id !== template.id || pkg.manifest.version !== template.version) {
      throw new IntegrityError(
        `template "${template.ref}": the package is ${quote(pkg.manifest.id)} ${quote(pkg.manifest.version)}, ` +
          `not the ${template.id} ${template.version} the catalog lists; refusing it`,
        template.ref,
      );
    }
    return { pkg, template, source };
  }

  /**
   * Downloads many templates in parallel (p-limit, default 8 at a time). Every item gets its own
   * result; one failure never sinks the batch. Concurrent batches share downloads of the same package.
   * Packages are trusted reads: an expired catalog that cannot be renewed fails each item (E_EXPIRED).
   */
  async downloadBatch(refs: readonly string[], opts: BatchOptions = {}): Promise<BatchResult> {
    return (await this.runBatch(refs, opts, this.catalogFor('trust', opts.signal))).result;
  }

  /**
   * Checks each template's package against its catalog entry: size, SHA-256 and the publisher's
   * Ed25519 signature. Packages are read through the tiers (downloaded when not cached). Signature
   * outcomes are cached by (key, digest, signature), so repeating a verification costs microseconds.
   *
   * The catalog itself must be confirmed by the marketplace during the call (a 304 when unchanged):
   * each source involved is revalidated once, and every item of a source that could not be
   * revalidated fails with that error ("could not revalidate", E_NETWORK / E_TIMEOUT / E_HTTP, or
   * the refusal: E_EXPIRED, E_ROLLBACK, E_SIGNATURE). A cached or expired catalog never passes.
   */
  async verifyBatch(refs: readonly string[], opts: BatchOptions = {}): Promise<VerifyOutcome[]> {
    const revalidated = new Map<string, Promise<VerifiedCatalog>>();
    const catalogOf: CatalogOf = (source) => {
      let pending = revalidated.get(source.id);
      if (!pending) {
        pending = source.get({ mode: 'revalidate', ...(opts.signal ? { signal: opts.signal } : {}) });
        pending.catch(() => undefined); // observed by every item of the source
        revalidated.set(source.id, pending);
      }
      return pending;
    };
    const { result: downloads, resolved } = await this.runBatch(refs, opts, catalogOf);
    const started = performance.now();
    const results: VerifyOutcome[] = [];
    const pending: { index: number; item: VerifyItem }[] = [];
    for (const [index, r] of downloads.items.entries()) {
      // A package refused while downloading (bad signature, size or digest) failed verification.
      if (!r.ok) results[index] = { ref: r.ref, ok: false, cached: false, error: r.error };
      else {
        const { template, source } = resolved[index]!;
        pending.push({ index, item: { ...this.packages.verifyItem(template, source), bytes: r.bytes, size: template.size } });
      }
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

  private async runBatch(
    refs: readonly string[],
    opts: BatchOptions,
    catalogOf: CatalogOf,
  ): Promise<{ result: BatchResult; resolved: (Resolved | undefined)[] }> {
    this.checkOpen();
    const started = performance.now();
    const limit = pLimit(opts.concurrency ?? this.options.concurrency ?? DEFAULTS.concurrency);
    const totals: BatchTotals = { total: refs.length, done: 0, failed: 0, bytes: 0 };
    const snapshot = (): BatchTotals => ({ ...totals });
    // Events are only built for a listener: a cold batch of small packages is short enough per
    // item that a few objects each showed in its profile.
    const listener = opts.onProgress;
    const emit = (event: () => BatchProgress): void => listener?.(event());
    const resolved: (Resolved | undefined)[] = [];
    // One listing of the disk tier for a batch big enough, made when the first package misses memory.
    let listing: Promise<RecordListing | undefined> | undefined;
    const listed = refs.length >= LIST_DISK_MIN_BATCH ? () => (listing ??= this.packages.listDisk(refs.length)) : undefined;
    const items = await Promise.all(
      refs.map((ref, index) =>
        limit(async (): Promise<BatchItemResult> => {
          try {
            throwIfAborted(opts.signal);
            emit(() => ({ type: 'start', ref, totals: snapshot() }));
            const r = await this.resolve(ref, catalogOf);
            const read = await this.packages.get(r.template, r.source, {
              ...(opts.signal ? { signal: opts.signal } : {}),
              ...(listed ? { listed } : {}),
              ...(listener ? { onProgress: (received: number, size: number | undefined) => listener({ type: 'bytes', ref, received, size, totals: snapshot() }) } : {}),
            });
            resolved[index] = r;
            totals.done++;
            totals.bytes += read.bytes.length;
            emit(() => ({ type: 'done', ref, from: read.from, bytes: read.bytes.length, totals: snapshot() }));
            return { ref, ok: true, template: r.template, bytes: read.bytes, from: read.from };
          } catch (err) {
            const error = asMarketplaceError(err);
            totals.failed++;
            this.metrics.error(error.code);
            emit(() => ({ type: 'failed', ref, error, totals: snapshot() }));
            return { ref, ok: false, error };
          }
        }),
      ),
    );
    return { result: { items, totals: snapshot(), elapsedMs: performance.now() - started }, resolved };

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
      const { pkg, template } = await this.openResolved(ref, { purpose: 'install', ...(opts.signal ? { signal: opts.signal } : {}) });
      return installPackage(pkg, { targetDir, variables, ...opts, record: { entry: this.recordEntry(template) } });
    });
  }

  /**
   * What `.template-marketplace.json` records about a template installed now: the marketplace, the
   * key its catalog was verified with, and the package exactly as that signed catalog lists it.
   */
  private recordEntry(template: ListedTemplate): Omit<ProvenanceEntry, 'files' | 'variables'> {
    const source = this.sources.get(template.source)!;
    const now = new Date((this.options.now ?? Date.now)()).toISOString();
    return {
      marketplace: { id: source.id, url: recordUrl(source.identity.url), catalogKeyId: source.identity.keyid },
      template: { id: template.id, version: template.version, sha256: template.sha256, publisherKeyId: template.publisher, signature: template.signature },
      installedAt: now,
      verifiedAt: now,
    };
  }

  /**
   * How each template recorded in `<dir>/.template-marketplace.json` stands: up to date, update
   * available, locally modified, missing files, or no longer in the catalog (see InstalledStatus).
   * Each recorded file is hashed as it is now, read only when it lies inside `dir` and is reached
   * without following any symbolic link (the record may come from a hostile repository): a path that
   * cannot be read that way counts as missing. Catalogs are browse reads (a cached catalog will do);
   * a marketplace the record names but this client is not configured with counts as not in catalog.
   */
  async installedStatus(dir: string, opts: { signal?: AbortSignal } = {}): Promise<InstalledStatusReport> {
    this.checkOpen();
    const root = await realpath(resolve(dir));
    const record = await readProvenance(root);
    const entries: InstalledStatusReport['entries'] = [];
    for (const entry of record.entries) {
      throwIfAborted(opts.signal);
      const current = new Map<string, string | undefined>();
      for (const f of entry.files) current.set(f.path, await digestInside(root, f.path));
      const source = this.sources.get(entry.marketplace.id);
      let listed: TemplateEntry | undefined;
      if (source) {
        const verified = await source.get({ internal: true, ...(opts.signal ? { signal: opts.signal } : {}) });
        listed = entriesById(verified).get(entry.template.id);
      }
      entries.push({
        key: entryKey(entry.marketplace.id, entry.template.id),
        entry,
        status: installedStatus(entry, listed ? { version: listed.version, sha256: listed.sha256 } : undefined, current),
      });
    }
    return { entries };
  }

  /**
   * The template rendered with `variables` (defaults for the rest), nothing written: for previews,
   * so a browse read by default (see ReadPurpose).
   */
  async render(
    ref: string,
    variables: Record<string, string> = {},
    opts: { signal?: AbortSignal; purpose?: ReadPurpose } = {},
  ): Promise<RenderedPackage> {
    return renderPackage(await this.open(ref, { purpose: 'browse', ...opts }), variables);
  }

  /** What installing into `targetDir` would write, and which destinations already exist (a trusted read, as for install). */
  async plan(ref: string, targetDir: string, variables: Record<string, string> = {}, opts: { signal?: AbortSignal } = {}): Promise<InstallPlan> {
    return planInstall(await this.open(ref, { ...opts, purpose: 'install' }), targetDir, variables);
  }

  // ---- Updates (client/updates.ts) --------------------------------------------------------------

  /**
   * Prepares the update of the templates recorded in `dir` (all that have a newer catalog version,
   * or `opts.ids`): verified new package, merge base, per-file three-way plan. Writes nothing.
   * Throws UpdateVariablesError (E_UPDATE_VARIABLES) when the new version needs answers; call
   * again with `opts.variables`. See PrepareUpdateOptions.
   */
  async prepareUpdate(dir: string, opts: PrepareUpdateOptions = {}): Promise<UpdateProposal[]> {
    this.checkOpen();
    return this.metrics.time('prepareUpdate', () => prepareUpdates(this.updateDeps(), dir, opts));
  }

  /**
   * Writes a prepared update (files and record) in one crash-safe transaction. Refuses with
   * E_UPDATE_STALE when the folder changed since prepareUpdate, and with E_UPDATE_CONFLICT when a
   * conflict has no resolution and `conflict` is not 'markers'; either way nothing is written.
   */
  async applyUpdate(proposal: UpdateProposal, opts: ApplyUpdateOptions = {}): Promise<UpdateResult> {
    this.checkOpen();
    return this.metrics.time('applyUpdate', () => applyUpdate(this.updateDeps(), proposal, opts));
  }

  /**
   * Exactly what applyUpdate would write (null = delete) and the new record, for a caller that
   * writes itself (one undoable workspace edit). Throws E_UPDATE_CONFLICT for a conflict without a
   * resolution unless `conflict: 'markers'`. Call `checkUpdateFresh` just before writing.
   */
  updateEdits(proposal: UpdateProposal, resolutions?: ReadonlyMap<string, Uint8Array | null>, opts: { conflict?: 'markers' | 'fail' } = {}): UpdateEdits {
    const now = new Date((this.options.now ?? Date.now)()).toISOString();
    return computeUpdateEdits(proposal, { ...(resolutions ? { resolutions } : {}), conflict: opts.conflict ?? 'fail', now });
  }

  /** Throws E_UPDATE_STALE when a planned file or the record entry changed since the proposal was prepared. */
  async checkUpdateFresh(proposal: UpdateProposal): Promise<void> {
    await assertUpdateFresh(proposal);
  }

  /**
   * Re-checks a folder's record against the marketplace (each catalog confirmed now; each recorded
   * package fetched and checked against the recorded SHA-256 and signature) and its files against
   * their recorded digests. Writes nothing. See verifyInstalled.ts.
   */
  async verifyInstalled(dir: string, opts: { signal?: AbortSignal } = {}): Promise<InstalledVerification> {
    this.checkOpen();
    const revalidated = new Map<string, Promise<VerifiedCatalog>>();
    return verifyInstalled(
      {
        revalidated: async (sourceId, signal) => {
          const source = this.sources.get(sourceId);
          if (!source) return undefined;
          let pending = revalidated.get(sourceId);
          if (!pending) revalidated.set(sourceId, (pending = source.get({ mode: 'revalidate', ...(signal ? { signal } : {}) })));
          return { catalog: await pending, keyId: source.identity.keyid, fetcher: this.fetchers.get(sourceId)! };
        },
        verifier: this.verifier,
      },
      dir,
      opts,
    );
  }

  private updateDeps(): UpdateDeps {
    return {
      openLatest: (ref, signal) => this.openResolved(ref, { purpose: 'install', ...(signal ? { signal } : {}) }),
      recordEntry: (template) => this.recordEntry(template),
      verifier: this.verifier,
      now: this.options.now ?? Date.now,
    };
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

  /**
   * Downloads into the caches the `count` templates most related to `ref` (shared tags, then the
   * same category; see catalog/related.ts) that are not cached yet, two at a time, and returns the
   * refs now cached. A
   * template that cannot be fetched is skipped: this only ever saves a later wait. Rejects with an
   * AbortedError once `signal` aborts. Opening or installing a template runs this by itself in the
   * background (option `prefetchRelated`).
   */
  async prefetchRelated(ref: string, opts: { count?: number; signal?: AbortSignal } = {}): Promise<string[]> {
    const count = opts.count ?? this.options.prefetchRelated ?? DEFAULTS.prefetchRelated;
    const { byRef } = await this.currentIndex({ internal: true });
    const to = byRef.get(ref) ?? (await this.get(ref));
    const limit = pLimit(RELATED_PREFETCH_CONCURRENCY);
    const fetched = await Promise.all(
      mostRelated(byRef.values(), to, count).map((related) =>
        limit(async () => {
          throwIfAborted(opts.signal);
          try {
            const { template, source } = await this.resolve(related.ref, this.catalogFor('browse', opts.signal));
            // Only what is missing: a package on disk already opens in about a millisecond.
            if (!(await this.packages.isCached(template))) await this.packages.get(template, source, opts.signal ? { signal: opts.signal } : {});
            return related.ref;
          } catch (err) {
            if (opts.signal?.aborted) throw err;
            return undefined;
          }
        }),
      ),
    );
    throwIfAborted(opts.signal);
    return fetched.filter((r): r is string => r !== undefined);
  }

  /** Empties the memory and disk caches. The rollback memory (trust file) is kept on purpose. */
  async clear(): Promise<void> {
    this.memory.clear();
    await this.disk.clear();
    for (const s of this.sources.values()) s.reset();
    this.index = undefined;
  }

  /**
   * Forgets the rollback memory (the highest catalog version accepted) of the given sources, or of
   * every marketplace ever used with this cache folder when none are given (which also ends the
   * recovery of a damaged trust file, and empties the cache: cached catalogs would otherwise still
   * bound the versions accepted next). The next catalog each serves is then accepted as if new: do
   * this only when a marketplace was genuinely reset, or to recover from a damaged trust file.
   * Returns how many marketplaces were forgotten.
   */
  async resetTrust(sourceIds?: readonly string[]): Promise<number> {
    this.checkOpen();
    if (sourceIds === undefined) {
      const count = await this.trust.reset();
      await this.clear();
      return count;
    }
    let count = 0;
    for (const id of sourceIds) {
      const source = this.sources.get(id);
      if (!source) throw new NotFoundError(`no source "${id}" (configured: ${this.describeSources()})`);
      count += await this.trust.reset(source.identity);
      await source.forget();
    }
    this.index = undefined;
    return count;
  }

  /** The rollback memory, for display: every marketplace remembered, and whether the trust file is being recovered. */
  trustState(): { file: string; damage?: string; entries: ReturnType<TrustStore['entries']> } {
    const damage = this.trust.damage;
    return { file: this.trust.file, ...(damage !== undefined ? { damage } : {}), entries: this.trust.entries() };
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
    return MarketplaceClient.open({ ...options, cacheDir: overrides.cacheDir, prefetchPopular: 0, prefetchRelated: 0 });
  }

  onDidChangeMetrics(listener: Parameters<Metrics['subscribe']>[0]): Disposable {
    return this.metrics.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.relatedPrefetch?.abort(new AbortedError('the marketplace client is closing'));
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

  /** Reads a source's catalog for `mode` (a package read: not a user-visible memory hit). */
  private catalogFor(mode: Exclude<CatalogReadMode, 'revalidate'>, signal: AbortSignal | undefined): CatalogOf {
    return (source) => source.get({ mode, internal: true, ...(signal ? { signal } : {}) });
  }

  /**
   * Finds `ref` (`<source>/<id>`, or a bare id: the first source listing it) in the catalog that
   * `catalogOf` vouches for, and takes the entry and the publisher keys from that same catalog, so a
   * package is never checked against an entry of one catalog and keys of another.
   */
  private async resolve(ref: string, catalogOf: CatalogOf): Promise<Resolved> {
    const slash = ref.indexOf('/');
    // A bare id names the first source that lists it, as the search index knows; with one source
    // there is nothing to look up (and no browse read to make before the trusted one).
    const only = this.sources.size === 1 ? [...this.sources.keys()][0]! : undefined;
    const sourceId = slash >= 0 ? ref.slice(0, slash) : (only ?? (await this.get(ref)).source);
    const id = slash >= 0 ? ref.slice(slash + 1) : ref;
    const source = this.sources.get(sourceId);
    if (!source) throw this.notFound(ref);
    const verified = await catalogOf(source);
    const entry = entriesById(verified).get(id);
    if (!entry) throw this.notFound(ref);
    return {
      template: { ...entry, source: source.id, ref: `${source.id}/${entry.id}` },
      source: { fetcher: this.fetchers.get(source.id)!, publisherKeys: verified.publisherKeys },
    };
  }

  private notFound(ref: string): NotFoundError {
    return new NotFoundError(`no template ${quote(ref)} in ${this.describeSources()}; refresh the catalogs or check the id`);
  }

  /** The search index over all usable catalogs, rebuilt only when a catalog version changes. */
  private async currentIndex(opts: { internal?: boolean } = {}): Promise<NonNullable<MarketplaceClient['index']>> {
    this.checkOpen();
    const loaded = await Promise.all(
      [...this.sources.values()].map(async (s) => ({ id: s.id, v: await s.get(opts).catch((err: unknown) => err as Error) })),
    );
    const usable = loaded.filter((l): l is { id: string; v: Exclude<typeof l.v, Error> } => !(l.v instanceof Error));
    if (usable.length === 0) {
      const errors = loaded.map((l) => asMarketplaceError(l.v));
      if (errors.length === 1) throw errors[0]!;
      // The first source's kind of failure, so that a refusal is not reported as a network problem.
      const reasons = loaded.map((l, i) => `${l.id}: ${errors[i]!.message}`).join('; ');
      throw new MarketplaceError(errors[0]!.code, `no marketplace catalog could be loaded (${reasons})`, { cause: errors[0] });
    }
    const key = usable.map((u) => `${u.id}@${u.v.payloadSha256}`).join('|');
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

  /** Starts prefetching what is related to `ref` in the background, cancelling the previous prefetch. Never fails. */
  private scheduleRelatedPrefetch(ref: string): void {
    const count = this.options.prefetchRelated ?? DEFAULTS.prefetchRelated;
    if (count <= 0 || this.closed) return;
    this.relatedPrefetch?.abort(new AbortedError('superseded by a newer prefetch'));
    const controller = new AbortController();
    this.relatedPrefetch = controller;
    const task = this.prefetchRelated(ref, { count, signal: controller.signal }).catch(() => undefined);
    this.background.add(task);
    void task.finally(() => {
      this.background.delete(task);
      if (this.relatedPrefetch === controller) this.relatedPrefetch = undefined;
    });
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

/**
 * Every failure as a typed error. Network failures already are NetworkErrors (the fetchers classify
 * them) and bad data FormatErrors; anything else is unexpected (a bug, a full disk) and reported as
 * such, never as a network error.
 */
function asMarketplaceError(err: unknown): MarketplaceError {
  if (err instanceof MarketplaceError) return err;
  const message = displayText(String((err as Error)?.message ?? err), { maxLength: 500 });
  return new InternalError(`unexpected failure: ${message}`, { cause: err });
}

const byId = new WeakMap<VerifiedCatalog['catalog'], Map<string, TemplateEntry>>();

/** A catalog's entries by id, built once per verified catalog. */
function entriesById(v: VerifiedCatalog): Map<string, TemplateEntry> {
  let map = byId.get(v.catalog);
  if (!map) {
    map = new Map(v.catalog.templates.map((t) => [t.id, t]));
    byId.set(v.catalog, map);
  }
  return map;
}


function quote(text: string): string {
  return `"${displayText(text, { maxLength: 200 })}"`;
}
