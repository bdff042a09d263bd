// Target 4 of issue 10: the resident memory of a client holding a 1,000-template catalog with its
// 1,000 packages cached, measured in a fresh Node process (the engine bundle, no TypeScript loader),
// after a full GC, beside the same process with the engine merely loaded. Target ≤ 100 MB RSS.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { serveMarketplace } from './support/coldPath';

const ROOT = resolve(__dirname, '..', '..');
const TEMPLATES = 1000;
const PADDING = 16 * 1024;
const RUNS = 3;

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
    const child = join(ROOT, 'test/bench/support/rssChild.js');
    const measure = async (mode: 'baseline' | 'client'): Promise<{ usage: Usage; failed?: number; bytes?: number; memory?: { entries: number; bytes: number } }> => {
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
      console.log(`  client holding them   RSS ${mb(u.rss).padStart(9)}  (heap used ${mb(u.heapUsed)}, external ${mb(u.external)}, array buffers ${mb(u.arrayBuffers)})   target ≤ 100 MB`);
      console.log(`  engine loaded only    RSS ${mb(base.usage.rss).padStart(9)}  (heap used ${mb(base.usage.heapUsed)})   ratio ${(u.rss / base.usage.rss).toFixed(2)}×`);
    }
  } finally {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run();
