/**
 * What activation costs: `require()` of the production extension bundle, which must stay at 5 ms
 * or less, against `require()` of the engine bundle that it loads only on first use (what every
 * activation paid when the two were one bundle). Each figure is the median of fresh Node processes,
 * measured side by side in this run; `vscode` is a stub, since only the module's own load is measured.
 *
 *   node --import tsx test/bench/activation.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const RUNS = 15;
const ROOT = resolve(__dirname, '..', '..');

/** A child process that stubs `vscode`, requires `file` once and prints the milliseconds it took. */
const PROBE = `
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'vscode') return new Proxy({}, { get: () => new Proxy(function () {}, { get: () => () => undefined }) });
  return load.call(this, request, ...rest);
};
const t = process.hrtime.bigint();
require(process.argv[2]);
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));
`;

function medianRequireMs(probe: string, file: string): number {
  const times = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, [probe, file], { encoding: 'utf8' })));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tm-activation-'));
  try {
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'silent' } as const;
    await build({ ...common, entryPoints: [join(ROOT, 'src/extension/extension.ts')], outfile: join(dir, 'extension.js'), external: ['vscode', './engine.js'] });
    await build({ ...common, entryPoints: [join(ROOT, 'src/core/index.ts')], outfile: join(dir, 'engine.js'), external: ['vscode'] });
    const probe = join(dir, 'probe.js');
    writeFileSync(probe, PROBE);
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, '');
    const floor = medianRequireMs(probe, empty);
    const extension = medianRequireMs(probe, join(dir, 'extension.js'));
    const engine = medianRequireMs(probe, join(dir, 'engine.js'));
    console.log(`require() of the production bundles, median of ${RUNS} fresh processes:`);
    console.log(`  extension.js (what activation loads)        ${extension.toFixed(2)} ms   (target ≤ 5 ms; ${(extension - floor).toFixed(2)} ms above the floor)`);
    console.log(`  engine.js (loaded on first use)             ${engine.toFixed(2)} ms   (${(engine / extension).toFixed(1)}× the extension)`);
    console.log(`  an empty module (the floor: Node's loader)  ${floor.toFixed(2)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run();
