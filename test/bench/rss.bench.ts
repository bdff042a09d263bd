// Target 4 of issue 10: the resident memory of a client holding a 1,000-template catalog with its
// 1,000 packages cached, measured in a fresh Node process (the engine bundle, no TypeScript loader),
// after a full GC, beside the same process with the engine merely loaded. Target ≤ 100 MB RSS.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { serveMarketplace } from './support/coldPath';

const ROOT = resolve(__dirname, '..', '..');
const TEMPLATES = 1000;
/** Packages of ~4.5 KB: the sample marketplace's average 3 KB, rounded up. */
const PADDING = 4 * 1024;
const RUNS = 2;

/**
 * The measured process: opens a client from the engine bundle, loads the catalog, downloads every
 * package (so all are cached), lets go of the batch result, and prints process.memoryUsage() after
 * a full GC as one JSON line. Plain JS, so no loader sits in the measured process.
 */
const CHILD = `'use strict';
const [engine, url, publicKey, cacheDir, mode] = process.argv.slice(2);
const SETTLE_MS = 12000;
async function main() {
  const usage = () => {
    global.gc();
    global.gc();
    return process.memoryUsage();
  };
  if (mode === 'baseline') {
    require(engine);
    process.stdout.write(JSON.stringify({ usage: usage() }));
    return;
  }
  const { MarketplaceClient } = require(engine);
  const client = await MarketplaceClient.open({ sources: [{ id: 'bench', url, publicKey }], cacheDir });
  const templates = await client.list();
  const { failed, bytes } = await (async () => {
    const batch = await client.downloadBatch(templates.map((t) => t.ref));
    return batch.totals;
  })();
  const memory = client.memoryStats();
  const after = usage();
  // V8 keeps the young generation it grew for the batch until its memory reducer sees the
  // process idle; what a client settles at is measured after that.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const settled = usage();
  process.stdout.write(JSON.stringify({ usage: after, settled, templates: templates.length, failed, bytes, memory }));
  await client.close();
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

interface Usage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-rss-'));
  const served = await serveMarketplace(TEMPLATES, PADDING);
  try {
    const engine = join(dir, 'engine.js');
    await build({ bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'silent', entryPoints: [join(ROOT, 'src/core/index.ts')], outfile: engine });
    const child = join(dir, 'child.js');
    await writeFile(child, CHILD);
    const measure = async (mode: 'baseline' | 'client'): Promise<{ usage: Usage; settled?: Usage; failed?: number; bytes?: number; memory?: { entries: number; bytes: number } }> => {
      const cacheDir = await mkdtemp(join(dir, 'cache-'));
      const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', child, engine, served.url, served.fixture.publicKey, cacheDir, mode], { maxBuffer: 1 << 20 });
      return JSON.parse(stdout) as { usage: Usage };
    };
    for (let i = 0; i < RUNS; i++) {
      const base = await measure('baseline');
      const full = await measure('client');
      if (full.failed) throw new Error(`${full.failed} downloads failed`);
      const u = full.usage;
      console.log(`run ${i + 1}: ${TEMPLATES} templates, ${mb(full.bytes ?? 0)} of packages, memory tier ${full.memory?.entries} entries / ${mb(full.memory?.bytes ?? 0)}`);
      const settled = full.settled!;
      console.log(`  client, after the batch  RSS ${mb(u.rss).padStart(9)}  (heap ${mb(u.heapUsed)} used of ${mb(u.heapTotal)}, external ${mb(u.external)}, array buffers ${mb(u.arrayBuffers)})`);
      console.log(`  client, settled (idle)   RSS ${mb(settled.rss).padStart(9)}  (heap ${mb(settled.heapUsed)} used of ${mb(settled.heapTotal)})   target ≤ 100 MB`);
      console.log(`  engine loaded only       RSS ${mb(base.usage.rss).padStart(9)}  (heap ${mb(base.usage.heapUsed)} used)   ratio settled/engine-only ${(settled.rss / base.usage.rss).toFixed(2)}×`);
    }
  } finally {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run();
