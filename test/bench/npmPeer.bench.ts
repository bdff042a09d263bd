// Issue 10's peer: npm's own stack (make-fetch-happen + cacache, SRI per package) beside the engine
// and the hand-rolled floor, measured in one run against the project's own `serve` on 127.0.0.1 at
// concurrency 8, for 1,000 small packages and 64 × 1 MB packages.
//
// Cold batch (download + verify + store), each arm into a fresh folder:
//   engine  MarketplaceClient.downloadBatch: GET, size + SHA-256 + Ed25519 check, disk tier write
//   npm     make-fetch-happen into cacache with `integrity`: index lookup, GET, SRI check while
//           streaming, content + index write; then the same Ed25519 check (support/npmStack.ts)
//   floor   bare undici Pool, SHA-256, Ed25519, one writeFile (support/coldPath.ts)
// Disk hit (every package read back, digest checked; no signature check in any arm):
//   engine  DiskCache.get as PackageStore calls it, on the folder an engine cold batch filled
//   npm     cacache.get.byDigest, and make-fetch-happen's cached fetch (index + policy + content),
//           on the folder an npm cold batch filled
//   floor   readFile + SHA-256 of plain files
// Arms rotate their order every round (so none always goes first); medians and ratios are printed.
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { disposeEngine, engineCold, floorCold, median, serveMarketplace, type Served } from './support/coldPath';
import { engineDiskReads, floorReads, openEngineDisk, writePlainFiles } from './support/diskHit';
import { npmCachedEntries, npmCachedFetches, npmCold, npmReadsByDigest, npmStackVersions } from './support/npmStack';

const CONCURRENCY = 8;
const COLD_ROUNDS = 5;
const HIT_ROUNDS = 9;

interface Arm {
  label: string;
  /** One measurement, in ms; anything it leaves behind is cleaned up outside the timing. */
  run: () => Promise<number>;
}

export async function run(): Promise<void> {
  console.log(`npm's stack: ${npmStackVersions()}; Node ${process.version}`);
  for (const { label, count, padding } of [
    { label: '1,000 small packages', count: 1000, padding: 0 },
    { label: '64 × 1 MB packages', count: 64, padding: 1024 * 1024 },
  ]) {
    const served = await serveMarketplace(count, padding);
    try {
      await coldBatch(served, label);
      await diskHit(served, label);
    } finally {
      await served.close();
    }
  }
}

async function coldBatch(served: Served, label: string): Promise<void> {
  const templates = served.fixture.catalog.templates;
  const medians = await sideBySide(COLD_ROUNDS, `cold batch, ${label}, concurrency ${CONCURRENCY}`, [
    {
      label: 'engine (download + verify + store)',
      run: async () => {
        const run = await engineCold(served, served.ids, CONCURRENCY);
        await disposeEngine(run);
        return run.ms;
      },
    },
    {
      label: 'npm (make-fetch-happen + cacache, SRI, + ed25519)',
      run: async () => {
        const run = await npmCold(served, templates, CONCURRENCY);
        await rm(run.cachePath, { recursive: true, force: true });
        return run.ms;
      },
    },
    { label: 'floor (undici + sha256 + ed25519 + writeFile)', run: () => floorCold(served, served.ids, CONCURRENCY) },
  ]);
  const [engine, npm, floor] = medians as [number, number, number];
  console.log(`  engine/floor ${ratio(engine, floor)}   engine/npm ${ratio(engine, npm)}   npm/floor ${ratio(npm, floor)}`);
}

async function diskHit(served: Served, label: string): Promise<void> {
  const templates = served.fixture.catalog.templates;
  // The folders to read back: each filled by its own stack's cold batch.
  const engineRun = await engineCold(served, served.ids, CONCURRENCY);
  await engineRun.client.close();
  const disk = await openEngineDisk(engineRun.cacheDir);
  const npmRun = await npmCold(served, templates, CONCURRENCY);
  const plain = await writePlainFiles(served.fixture);
  try {
    const stored = await npmCachedEntries(npmRun.cachePath);
    if (stored !== templates.length) throw new Error(`cacache holds ${stored} entries, not ${templates.length}`);
    const medians = await sideBySide(HIT_ROUNDS, `disk hit, ${label} read back, concurrency ${CONCURRENCY}`, [
      { label: 'engine disk tier (DiskCache.get, digest checked)', run: () => engineDiskReads(disk, templates, CONCURRENCY) },
      { label: 'npm cacache.get.byDigest (SRI checked)', run: () => npmReadsByDigest(npmRun.cachePath, templates, CONCURRENCY) },
      { label: 'npm make-fetch-happen cached fetch (SRI checked)', run: () => npmCachedFetches(served, npmRun.cachePath, templates, CONCURRENCY) },
      { label: 'floor (readFile + sha256)', run: () => floorReads(plain, templates, CONCURRENCY) },
    ]);
    const [engine, byDigest, cachedFetch, floor] = medians as [number, number, number, number];
    console.log(
      `  engine/floor ${ratio(engine, floor)}   engine/cacache ${ratio(engine, byDigest)}   engine/make-fetch-happen ${ratio(engine, cachedFetch)}   cacache/floor ${ratio(byDigest, floor)}`,
    );
  } finally {
    await disk.close();
    await rm(engineRun.cacheDir, { recursive: true, force: true });
    await rm(npmRun.cachePath, { recursive: true, force: true });
    await rm(plain, { recursive: true, force: true });
  }
}

/** One unmeasured round of every arm (JIT, server caches, page cache), then `rounds` rounds, each starting one arm later. Returns the medians in arm order. */
async function sideBySide(rounds: number, title: string, arms: readonly Arm[]): Promise<number[]> {
  for (const arm of arms) await arm.run();
  const samples = arms.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < arms.length; k++) {
      const i = (round + k) % arms.length;
      samples[i]!.push(await arms[i]!.run());
    }
  }
  const medians = samples.map(median);
  console.log(`${title} (median of ${rounds}, rotating order):`);
  arms.forEach((arm, i) => {
    console.log(`  ${arm.label.padEnd(50)} ${medians[i]!.toFixed(1).padStart(8)} ms   [${samples[i]!.map((v) => v.toFixed(0)).join(' ')}]`);
  });
  return medians;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run();
