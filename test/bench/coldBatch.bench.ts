// Target 1 of issue 10: the cold batch (download + verify + store, concurrency 8) of 1,000 small
// packages and of 64 × 1 MB packages, against the project's own `serve` on 127.0.0.1, side by side
// with the hand-rolled floor (bare undici Pool + one SHA-256, one Ed25519 verify, one writeFile per
// package). Arms alternate, ROUNDS times each; the medians and their ratio are printed (target ≤ 1.3×).
import { pathToFileURL } from 'node:url';
import { disposeEngine, engineCold, floorCold, median, serveMarketplace } from './support/coldPath';

const ROUNDS = 5;

export async function run(): Promise<void> {
  for (const { label, count, padding } of [
    { label: '1,000 small packages', count: 1000, padding: 0 },
    { label: '64 × 1 MB packages', count: 64, padding: 1024 * 1024 },
  ]) {
    const served = await serveMarketplace(count, padding);
    try {
      const engine: number[] = [];
      const floor: number[] = [];
      // One unmeasured round of each warms the JIT, the server's caches and the page cache.
      await disposeEngine(await engineCold(served, served.ids));
      await floorCold(served, served.ids);
      for (let round = 0; round < ROUNDS; round++) {
        const run = await engineCold(served, served.ids);
        engine.push(run.ms);
        await disposeEngine(run);
        floor.push(await floorCold(served, served.ids));
      }
      const e = median(engine);
      const f = median(floor);
      console.log(`cold batch, ${label}, concurrency 8 (median of ${ROUNDS}, alternating):`);
      console.log(`  engine (download + verify + store)  ${e.toFixed(1).padStart(8)} ms   [${engine.map((v) => v.toFixed(0)).join(' ')}]`);
      console.log(`  floor (undici + sha + ed25519 + fs) ${f.toFixed(1).padStart(8)} ms   [${floor.map((v) => v.toFixed(0)).join(' ')}]`);
      console.log(`  ratio engine/floor ${(e / f).toFixed(2)}×   (target ≤ 1.3×)`);
    } finally {
      await served.close();
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run();
