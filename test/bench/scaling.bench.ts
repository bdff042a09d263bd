// Targets 2 and 8 of issue 10, through MarketplaceClient against the project's own `serve`:
// - the memory tier on a re-read of a batch (1,000 and 5,000 small packages, far inside the 64 MiB
//   budget): the share served from memory, with the old entry cap of 500 beside today's default
//   (target ≥ 95%);
// - how cold (network + verify + store), warm-from-disk (a new client on the same folder) and
//   warm-from-memory batch times grow from 10 to 5,000 packages, with the exponent b of
//   time ≈ a·n^b fitted by least squares on log-log (target: linear, b ≈ 1).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MarketplaceClient, type BatchResult } from '../../src/core';
import { fittedExponent, serveMarketplace, type Served } from './support/coldPath';

const SIZES = [10, 100, 1000, 5000];

export async function run(): Promise<void> {
  const served = await serveMarketplace(Math.max(...SIZES));
  try {
    console.log('memory tier on a re-read of the same batch (small packages, 64 MiB budget):');
    for (const n of [1000, 5000]) {
      const before = await rereadHits(served, n, { maxEntries: 500 });
      const after = await rereadHits(served, n, {});
      console.log(`  ${String(n).padStart(5)} packages: entry cap 500 (before) ${pct(before)}   byte-bounded (now) ${pct(after)}   (target ≥ 95%)`);
    }
    const cold: { n: number; ms: number }[] = [];
    const disk: { n: number; ms: number }[] = [];
    const memory: { n: number; ms: number }[] = [];
    console.log('batch time by size (concurrency 8):');
    for (const n of SIZES) {
      const ids = served.ids.slice(0, n);
      await withClient(served, async (open) => {
        const first = await open();
        cold.push({ n, ms: ok(await first.downloadBatch(ids)).elapsedMs });
        memory.push({ n, ms: ok(await first.downloadBatch(ids)).elapsedMs });
        await first.close();
        const second = await open();
        disk.push({ n, ms: ok(await second.downloadBatch(ids)).elapsedMs });
        await second.close();
      });
      const at = (list: { ms: number }[]) => list[list.length - 1]!.ms;
      console.log(`  ${String(n).padStart(5)}: cold ${ms(at(cold))}  warm disk ${ms(at(disk))}  warm memory ${ms(at(memory))}  (per package: cold ${(at(cold) / n).toFixed(3)} ms, disk ${(at(disk) / n).toFixed(3)} ms, memory ${(at(memory) / n).toFixed(4)} ms)`);
    }
    // The smallest sizes are dominated by fixed costs; the fit is over 100 and up.
    const fit = (list: { n: number; ms: number }[]) => fittedExponent(list.filter((p) => p.n >= 100)).toFixed(2);
    console.log(`  fitted exponent (n ≥ 100): cold ${fit(cold)}, warm disk ${fit(disk)}, warm memory ${fit(memory)}   (linear = 1.00)`);
  } finally {
    await served.close();
  }
}

/** Share of a re-read served from memory, on a client whose memory tier has `memory` options. */
async function rereadHits(served: Served, n: number, memory: { maxEntries?: number }): Promise<number> {
  let share = 0;
  await withClient(served, async (open) => {
    const client = await open(memory);
    const ids = served.ids.slice(0, n);
    ok(await client.downloadBatch(ids));
    const again = ok(await client.downloadBatch(ids));
    share = again.items.filter((i) => i.ok && i.from === 'memory').length / n;
    await client.close();
  });
  return share;
}

async function withClient(served: Served, body: (open: (memory?: { maxEntries?: number }) => Promise<MarketplaceClient>) => Promise<void>): Promise<void> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'tm-scaling-'));
  try {
    await body(async (memory = {}) => {
      const client = await MarketplaceClient.open({ sources: [{ id: 'bench', url: served.url, publicKey: served.fixture.publicKey }], cacheDir, memory });
      await client.refresh();
      return client;
    });
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

function ok(result: BatchResult): BatchResult {
  if (result.totals.failed) throw new Error(`${result.totals.failed} of ${result.totals.total} failed`);
  return result;
}

const pct = (share: number): string => `${(share * 100).toFixed(1).padStart(5)}%`;
const ms = (value: number): string => `${value.toFixed(1).padStart(8)} ms`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run();
