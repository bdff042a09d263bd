import type { SourceConfig } from '../catalog/types';
import { FormatError } from '../errors';
import type { Metrics } from '../metrics/metrics';
import type { HttpClientOptions } from '../net/httpClient';
import { checkRequestHeaders } from '../net/originHeaders';
import { parseProxy } from '../net/proxy';

/** Everything the engine needs, as plain data: the extension and the CLI build it from their settings. */
export interface MarketplaceClientOptions {
  sources: SourceConfig[];
  /** Folder for the disk cache and the trust file (the extension passes its globalStorageUri). */
  cacheDir: string;
  /** The memory tier: bounded by `maxBytes` (default 64 MiB); `maxEntries` (default 100,000) only backstops a flood of tiny values. */
  memory?: { maxEntries?: number; maxBytes?: number };
  disk?: { maxBytes?: number };
  /** How long a verified catalog is fresh before it is revalidated (stale-while-revalidate). */
  catalogTtlMs?: number;
  /** How long a package stays in the caches; packages are content-addressed, so this bounds space, not staleness. */
  packageTtlMs?: number;
  /** Parallel downloads in a batch (p-limit). */
  concurrency?: number;
  /** After the first catalog load, download this many of the most popular templates in the background. */
  prefetchPopular?: number;
  /**
   * After a template is opened (preview, render, plan) or installed, download this many of the
   * templates most related to it (shared tags, same category) in the background, two at a time.
   * A newer open supersedes a running prefetch; close() cancels it. 0 turns it off. Default 3.
   */
  prefetchRelated?: number;
  /** Connection pool, timeouts, retries and an optional proxy (`http.proxy`, see ProxyOptions). */
  http?: HttpClientOptions;
  verifier?: { cacheSize?: number };
  metrics?: Metrics;
  now?: () => number;
}

export const DEFAULTS = {
  // The memory tier is bounded by bytes; this cap only backstops a flood of tiny values. It was
  // 500, which made a re-read of any batch over 500 packages miss every time (LRU on a cyclic scan).
  memoryMaxEntries: 100_000,
  memoryMaxBytes: 64 * 1024 * 1024,
  diskMaxBytes: 256 * 1024 * 1024,
  catalogTtlMs: 10 * 60 * 1000,
  packageTtlMs: 30 * 24 * 60 * 60 * 1000,
  concurrency: 8,
  prefetchPopular: 0,
  prefetchRelated: 3,
} as const;

const SOURCE_ID = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function checkOptions(opts: MarketplaceClientOptions): void {
  const where = 'MarketplaceClient options';
  if (!opts.cacheDir) throw new FormatError('is required', where, 'cacheDir');
  if (!Array.isArray(opts.sources) || opts.sources.length === 0) throw new FormatError('needs at least one marketplace', where, 'sources');
  const ids = new Set<string>();
  opts.sources.forEach((s, i) => {
    if (!SOURCE_ID.test(s.id ?? '')) throw new FormatError(`"${s.id}" is not a valid source id (lowercase letters, digits, . _ -)`, where, `sources[${i}].id`);
    if (ids.has(s.id)) throw new FormatError(`duplicate source id "${s.id}"`, where, `sources[${i}].id`);
    ids.add(s.id);
    let url: URL;
    try {
      url = new URL(s.url);
    } catch {
      throw new FormatError(`"${s.url}" is not a URL`, where, `sources[${i}].url`);
    }
    if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
      throw new FormatError(`"${s.url}": only https:, http: and file: marketplaces are supported`, where, `sources[${i}].url`);
    }
    checkRequestHeaders(s.headers, where, `sources[${i}].headers`);
  });
  // Checked before anything is opened; HttpClient would only refuse it after the caches are.
  if (opts.http?.proxy !== undefined) parseProxy(opts.http.proxy, `${where}: http.proxy`);
  const positive = (v: number | undefined, field: string) => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new FormatError(`must be a positive number, got ${v}`, where, field);
  };
  positive(opts.concurrency, 'concurrency');
  positive(opts.catalogTtlMs, 'catalogTtlMs');
  positive(opts.packageTtlMs, 'packageTtlMs');
  positive(opts.memory?.maxBytes, 'memory.maxBytes');
  positive(opts.memory?.maxEntries, 'memory.maxEntries');
  positive(opts.disk?.maxBytes, 'disk.maxBytes');
  if (opts.prefetchRelated !== undefined && !(Number.isSafeInteger(opts.prefetchRelated) && opts.prefetchRelated >= 0)) {
    throw new FormatError(`must be an integer >= 0, got ${opts.prefetchRelated}`, where, 'prefetchRelated');
  }
}
