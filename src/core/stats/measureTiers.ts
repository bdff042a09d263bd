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
  /** Each way is run this many times and the fastest round is reported (best of N). Default 3. */
  rounds?: number;
  /** Where the throwaway cache folder is made. Default: the OS temp folder. */
  tmpRoot?: string;
  now?: () => number;
}

/**
 * "Measure the tiers": reads one batch three ways and reports templates/s for each (best of `rounds`),
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
  const rounds = Math.max(1, Math.floor(opts.rounds ?? 3));
  throwIfAborted(signal);
  const dir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'tm-measure-'));
  const open = new Set<MarketplaceClient>();
  const sibling = async (cacheDir: string) => {
    const c = await client.openSibling({ cacheDir });
    open.add(c);
    await c.refresh(signal ? { signal } : {});
    throwIfAborted(signal);
    return c;
  };
  const close = async (c: MarketplaceClient) => {
    open.delete(c);
    await c.close();
  };
  try {
    onProgress({ phase: 'preparing', done: 0, total: 0 });
    let refs: string[] = opts.refs ? [...opts.refs] : [];
    const batch = async (c: MarketplaceClient, tier: Tier, round: number): Promise<TierRun> => {
      throwIfAborted(signal);
      const phase = tier === 'network' ? 'cold' : tier;
      const total = refs.length * rounds;
      onProgress({ phase, done: round * refs.length, total });
      const result = await c.downloadBatch(refs, {
        ...(signal ? { signal } : {}),
        onProgress: (e) => {
          if (e.type === 'done' || e.type === 'failed') onProgress({ phase, done: round * refs.length + e.totals.done + e.totals.failed, total });
        },
      });
      throwIfAborted(signal);
      return run(tier, result);
    };

    // Cold: each round starts from an empty folder of its own.
    let cold: TierRun | undefined;
    let folder = dir;
    for (let round = 0; round < rounds; round++) {
      folder = join(dir, `round-${round}`);
      const c = await sibling(folder);
      if (refs.length === 0) refs = (await c.search({ sort: 'downloads', limit: opts.count ?? 20 })).hits.map((h) => h.entry.ref);
      cold = faster(cold, await batch(c, 'network', round));
      await close(c);
    }
    // Warm from disk: each round a new client on the last folder, so its memory tier starts empty.
    let disk: TierRun | undefined;
    let warm: MarketplaceClient | undefined;
    for (let round = 0; round < rounds; round++) {
      if (warm) await close(warm);
      warm = await sibling(folder);
      disk = faster(disk, await batch(warm, 'disk', round));
    }
    // Warm from memory: the last of those clients again.
    let memory: TierRun | undefined;
    for (let round = 0; round < rounds; round++) memory = faster(memory, await batch(warm!, 'memory', round));

    return {
      refs,
      rounds,
      cold: cold!,
      disk: disk!,
      memory: memory!,
      ratios: {
        diskOverCold: speedup(disk!, cold!),
        memoryOverCold: speedup(memory!, cold!),
        memoryOverDisk: speedup(memory!, disk!),
      },
      at: now(),
    };
  } finally {
    onProgress({ phase: 'cleaning', done: 0, total: 0 });
    await Promise.allSettled([...open].map((c) => c.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

/** The faster of two rounds: timing noise (a GC pause, a cold JIT) only ever slows a round down. */
function faster(a: TierRun | undefined, b: TierRun): TierRun {
  return a && a.templatesPerSec >= b.templatesPerSec ? a : b;
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
