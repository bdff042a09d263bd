// The cache tiers side by side on the same values: an L1 (memory) hit, an L2 (disk) hit, and the
// cold path they save - an HTTP GET from a loopback server plus the SHA-256 check a download gets -
// as ops/s and ratios; the L2 hit beside its floor, a `readFile` + SHA-256 of the same bytes
// (issue 10, target ≤ 1.3× for packages), one at a time and then 8 at a time as a batch reads
// packages back; the two inflaters on catalog blobs; then what compression does to JSON-like data
// and to a zip.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile as readFileCallback } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { deflateSync, inflateSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { DiskCache, MemoryCache } from '../../src/core/cache';
import { IntegrityError, NotFoundError } from '../../src/core/errors';
import { sha256Hex, utf8, writePackage } from '../../src/core/format';
import { MarketplaceFixture } from '../helpers/marketplaceFixture';
import { median } from './support/coldPath';
import { engineDiskReads, fillEngineDisk, floorReads, openEngineDisk, writePlainFiles } from './support/diskHit';

const readFileFast = promisify(readFileCallback);

/** Each measurement runs for about this long (and at most MAX_OPS operations). */
const MEASURE_MS = 1000;
const MAX_OPS = 2_000_000;

export async function run(): Promise<void> {
  const catalog = catalogLike(400); // ~150 KB of JSON, a mid-sized catalog
  const zip = zipLike(256 * 1024);
  const smallZip = zipLike(4 * 1024);
  const dir = await mkdtemp(join(tmpdir(), 'tm-cache-bench-'));
  const server = await serve(new Map([['/catalog.json', catalog], ['/package.zip', zip], ['/small-package.zip', smallZip]]));
  try {
    const memory = new MemoryCache({ maxEntries: 100, maxBytes: 64 * 1024 * 1024, ttlMs: 3_600_000 });
    const disk = await DiskCache.open({ dir, maxBytes: 256 * 1024 * 1024, ttlMs: 3_600_000 });
    const values = [['catalog.json', catalog, '/catalog.json'], ['package.zip', zip, '/package.zip'], ['small-package.zip', smallZip, '/small-package.zip']] as const;
    for (const [name, bytes, path] of values) {
      const stored = await disk.set(name, bytes);
      const plain = join(dir, `plain-${name}`);
      await writeFile(plain, bytes);
      // The floor: the fastest whole-file read Node has (the callback API) and one digest.
      const floor = await measure(async () => {
        if (sha256Hex(await readFileFast(plain)) !== stored.meta.sha256) throw new IntegrityError('the floor read other bytes', plain);
      });
      memory.set(name, bytes, stored.meta);
      const l1 = await measure(() => {
        if (!memory.get(name)) throw new NotFoundError(`L1 missed ${name}`);
      });
      // As PackageStore reads packages: with the digest the catalog gives (catalogs have none).
      const hint = name.endsWith('.zip') ? { sha256: stored.meta.sha256, size: bytes.byteLength } : {};
      const l2 = await measure(async () => {
        if (!(await disk.get(name, hint))) throw new NotFoundError(`L2 missed ${name}`);
      });
      const cold = await measure(async () => {
        const res = await request(`${server.url}${path}`);
        const body = new Uint8Array(await res.body.arrayBuffer());
        if (sha256Hex(body) !== stored.meta.sha256) throw new IntegrityError('the cold read returned other bytes', path);
      });
      const setRate = await measure(async () => {
        await disk.set(name, bytes);
      });
      console.log(`${name}: ${kib(bytes.byteLength)}, stored on disk as ${kib(stored.storedBytes)} (${pct(stored.storedBytes, bytes.byteLength)})`);
      console.log(`  L1 hit (memory)           ${opsLine(l1)}`);
      console.log(`  L2 hit (disk, verified)   ${opsLine(l2)}`);
      console.log(`  floor (readFile + sha256) ${opsLine(floor)}   L2 hit / floor ${ratio(floor, l2)} the time${stored.storedBytes < bytes.byteLength ? ' (stored deflated: the hit inflates too)' : ' (target ≤ 1.3×)'}`);
      console.log(`  cold (loopback GET+hash)  ${opsLine(cold)}`);
      console.log(`  L2 set again (same value)${opsLine(setRate)}`);
      console.log(`  L1/L2 ${ratio(l1, l2)}, L2/cold ${ratio(l2, cold)}, L1/cold ${ratio(l1, cold)}`);
    }
    await diskHitsAtConcurrency();
    for (const templates of [400, 4000]) {
      const json = catalogLike(templates);
      const deflated = deflateSync(json);
      const viaFflate = await measure(() => inflateSync(deflated, { out: new Uint8Array(json.byteLength) }));
      const viaZlib = await measure(() => inflateRawSync(deflated, { maxOutputLength: json.byteLength }));
      console.log(`inflating a ${kib(json.byteLength)} catalog blob (${kib(deflated.byteLength)} on disk):`);
      console.log(`  node:zlib (used)          ${opsLine(viaZlib)}`);
      console.log(`  fflate                    ${opsLine(viaFflate)}   zlib/fflate ${ratio(viaZlib, viaFflate)} faster`);
    }
    for (const templates of [40, 4000]) {
      const json = catalogLike(templates);
      const { storedBytes } = await disk.set(`catalog-${templates}`, json);
      console.log(`compression of JSON-like data: ${kib(json.byteLength)} -> ${kib(storedBytes)} (${pct(storedBytes, json.byteLength)})`);
    }
    await disk.close();
  } finally {
    const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
    server.server.closeAllConnections(); // undici keeps sockets alive
    await closed;
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rounds of the concurrent disk-hit comparison; arms alternate which goes first. */
const HIT_ROUNDS = 9;
const HIT_CONCURRENCY = 8;

/**
 * Every package of a batch read back from the disk tier, HIT_CONCURRENCY at a time (DiskCache.get
 * as PackageStore calls it: digest and size from the catalog, the digest checked), beside the floor
 * doing the same reads with `readFile` + SHA-256 of plain files. Medians of HIT_ROUNDS.
 */
async function diskHitsAtConcurrency(): Promise<void> {
  for (const { label, count, padding } of [
    { label: '1,000 × 4 KiB packages', count: 1000, padding: 3600 },
    { label: '64 × 1 MB packages', count: 64, padding: 1024 * 1024 },
  ]) {
    const fixture = new MarketplaceFixture(Array.from({ length: count }, (_, i) => ({ id: `t${i}`, padding })));
    const templates = fixture.catalog.templates;
    const cacheDir = await mkdtemp(join(tmpdir(), 'tm-cache-bench-hits-'));
    const disk = await openEngineDisk(cacheDir);
    const plain = await writePlainFiles(fixture);
    try {
      await fillEngineDisk(disk, fixture);
      const engine: number[] = [];
      const floor: number[] = [];
      // One unmeasured round of each: JIT and page cache.
      await engineDiskReads(disk, templates, HIT_CONCURRENCY);
      await floorReads(plain, templates, HIT_CONCURRENCY);
      for (let round = 0; round < HIT_ROUNDS; round++) {
        if (round % 2 === 0) engine.push(await engineDiskReads(disk, templates, HIT_CONCURRENCY));
        floor.push(await floorReads(plain, templates, HIT_CONCURRENCY));
        if (round % 2 === 1) engine.push(await engineDiskReads(disk, templates, HIT_CONCURRENCY));
      }
      const e = median(engine);
      const f = median(floor);
      console.log(`L2 hits at concurrency ${HIT_CONCURRENCY}, ${label} (median of ${HIT_ROUNDS}, alternating):`);
      console.log(`  L2 hit (disk, verified)   ${e.toFixed(1).padStart(8)} ms   [${engine.map((v) => v.toFixed(0)).join(' ')}]`);
      console.log(`  floor (readFile + sha256) ${f.toFixed(1).padStart(8)} ms   [${floor.map((v) => v.toFixed(0)).join(' ')}]`);
      console.log(`  L2 hit / floor ${(e / f).toFixed(2)}× the time (target ≤ 1.3×)`);
    } finally {
      await disk.close();
      await rm(cacheDir, { recursive: true, force: true });
      await rm(plain, { recursive: true, force: true });
    }
  }
}

interface Rate {
  ops: number;
  ms: number;
}

/** Runs `op` back to back for MEASURE_MS (after a short warm-up); bounded by MAX_OPS either way. */
async function measure(op: () => unknown): Promise<Rate> {
  for (let i = 0; i < 20; i++) await op();
  const start = performance.now();
  let ops = 0;
  while (ops < MAX_OPS && performance.now() - start < MEASURE_MS) {
    await op();
    ops++;
  }
  return { ops, ms: performance.now() - start };
}

function perSecond(rate: Rate): number {
  return rate.ops / (rate.ms / 1000);
}

function opsLine(rate: Rate): string {
  return `${Math.round(perSecond(rate)).toLocaleString('en-US').padStart(11)} ops/s  ${((rate.ms * 1000) / rate.ops).toFixed(1).padStart(8)} µs/op`;
}

function ratio(a: Rate, b: Rate): string {
  return `${(perSecond(a) / perSecond(b)).toFixed(1)}x`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}

/** JSON shaped like a catalog: repetitive keys and words, plus incompressible hex digests. */
function catalogLike(templates: number): Uint8Array {
  const words = ['architecture', 'decision', 'record', 'readme', 'changelog', 'runbook', 'incident', 'review', 'api', 'guide'];
  const entries = Array.from({ length: templates }, (_, i) => ({
    id: `template-${i}`,
    name: `${words[i % words.length]} ${words[(i * 7) % words.length]} ${i}`,
    version: `1.${i % 13}.${i % 7}`,
    description: `A ${words[(i * 3) % words.length]} template for ${words[(i * 5) % words.length]} documents, number ${i}.`,
    category: words[i % 4],
    tags: [words[i % 10], words[(i + 3) % 10]],
    author: `team-${i % 9}`,
    sha256: sha256Hex(utf8.encode(`package ${i}`)),
    size: 10_000 + ((i * 7919) % 50_000),
    url: `https://marketplace.example/packages/template-${i}-1.${i % 13}.${i % 7}.zip`,
  }));
  return utf8.encode(JSON.stringify({ version: 1, templates: entries }, null, 2));
}

/** A real template package (deflated zip entries), `size` bytes of pseudo-random content inside. */
function zipLike(size: number): Uint8Array {
  const body = new Uint8Array(size);
  let block = utf8.encode('seed');
  for (let offset = 0; offset < body.length; offset += 32) {
    block = Buffer.from(sha256Hex(block), 'hex');
    body.set(block.subarray(0, Math.min(32, body.length - offset)), offset);
  }
  return writePackage(
    { id: 'bench', name: 'Bench', version: '1.0.0', description: 'bench', category: 'docs', tags: [], author: 'bench', targetFolder: 'docs', variables: [] },
    new Map([['data.bin', body]]),
  );
}

/** A loopback-only HTTP server for the given paths; the caller closes it. */
async function serve(files: ReadonlyMap<string, Uint8Array>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream', 'content-length': body?.byteLength ?? 0 });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}
