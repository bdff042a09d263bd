import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchResult } from '../client/batch';
import type { MarketplaceClient } from '../client/MarketplaceClient';
import type { Tier } from '../metrics/snapshot';
import { throwIfAborted } from '../util/abort';
import type { MeasureProgress, TierMeasurement, TierRun } from './types';

export interface MeasureTiersOptions {
  /** How many of the most downloaded templates to read. Default 20. */
  count?: number;
  /** Read these instead of the most popular. */
  refs?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (progress: MeasureProgress) => void;
  /** Where the throwaway cache folder is made. Default: the OS temp folder. */
  tmpRoot?: string;
  now?: () => number;
}

/**
 * "Measure the tiers": reads one batch three ways and reports templates/s for each,
 * 1. cold: a new client on the same marketplaces with an empty throwaway cache folder (network,
 *    verification and storing);
 * 2. warm from disk: another new client on that folder, so its memory tier starts empty;
 * 3. warm from memory: the same batch again on that second client.
 * The `client` passed in only lends its configuration (`openSibling`): its caches, metrics and
 * folder are never read or written. The throwaway folder is removed whatever happens, also when
 * `signal` aborts (the promise then rejects with E_ABORTED).
 */
export async function measureTiers(client: MarketplaceClient, opts: MeasureTiersOptions = {}): Promise<TierMeasurement> {
  const { signal, onProgress = () => undefined, now = Date.now } = opts;
  throwIfAborted(signal);
  const dir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'tm-measure-'));
  const open: MarketplaceClient[] = [];
  const sibling = async () => {
    const c = await client.openSibling({ cacheDir: dir });
    open.push(c);
    return c;
  };
  try {
    onProgress({ phase: 'preparing', done: 0, total: 0 });
    const cold = await sibling();
    await cold.refresh(signal ? { signal } : {});
    throwIfAborted(signal);
    const refs = opts.refs ? [...opts.refs] : (await cold.search({ sort: 'downloads', limit: opts.count ?? 20 })).hits.map((h) => h.entry.ref);
    const batch = async (c: MarketplaceClient, tier: Tier): Promise<TierRun> => {
      throwIfAborted(signal);
      onProgress({ phase: tier === 'network' ? 'cold' : tier, done: 0, total: refs.length });
      const result = await c.downloadBatch(refs, {
        ...(signal ? { signal } : {}),
        onProgress: (e) => {
          if (e.type === 'done' || e.type === 'failed') onProgress({ phase: tier === 'network' ? 'cold' : tier, done: e.totals.done + e.totals.failed, total: refs.length });
        },
      });
      throwIfAborted(signal);
      return run(tier, result);
    };
    const coldRun = await batch(cold, 'network');
    await cold.close();
    const warm = await sibling();
    await warm.refresh(signal ? { signal } : {});
    const diskRun = await batch(warm, 'disk');
    const memoryRun = await batch(warm, 'memory');
    return {
      refs,
      cold: coldRun,
      disk: diskRun,
      memory: memoryRun,
      ratios: {
        diskOverCold: speedup(diskRun, coldRun),
        memoryOverCold: speedup(memoryRun, coldRun),
        memoryOverDisk: speedup(memoryRun, diskRun),
      },
      at: now(),
    };
  } finally {
    onProgress({ phase: 'cleaning', done: 0, total: 0 });
    await Promise.allSettled(open.map((c) => c.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

function run(tier: Tier, r: BatchResult): TierRun {
  const seconds = Math.max(r.elapsedMs, 1e-3) / 1000;
  const ok = r.items.filter((i) => i.ok);
  return {
    tier,
    templates: r.totals.done,
    failed: r.totals.failed,
    bytes: r.totals.bytes,
    elapsedMs: r.elapsedMs,
    templatesPerSec: r.totals.done / seconds,
    bytesPerSec: r.totals.bytes / seconds,
    fromIntendedTier: ok.filter((i) => i.ok && i.from === tier).length,
  };
}

function speedup(fast: TierRun, slow: TierRun): number {
  return slow.templatesPerSec > 0 ? fast.templatesPerSec / slow.templatesPerSec : 0;
}
