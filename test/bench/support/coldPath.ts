// Shared by the cold-path benches: a marketplace folder served by the project's own `serve` in a
// child process (so the server has its own core, as a real one would), the engine's batch, and the
// hand-rolled floor it is compared with.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { MarketplaceClient } from '../../../src/core';
import { fromBase64, sha256Hex, type TemplateEntry } from '../../../src/core/format';
import { MarketplaceFixture } from '../../helpers/marketplaceFixture';

const ROOT = resolve(__dirname, '..', '..', '..');

export interface Served {
  fixture: MarketplaceFixture;
  url: string;
  ids: string[];
  close(): Promise<void>;
}

/** Writes a signed marketplace of `count` templates (each padded with `padding` random bytes) and serves it. */
export async function serveMarketplace(count: number, padding = 0): Promise<Served> {
  const fixture = new MarketplaceFixture(Array.from({ length: count }, (_, i) => ({ id: `t${i}`, downloads: i, ...(padding ? { padding } : {}) })));
  const dir = await mkdtemp(join(tmpdir(), 'tm-serve-'));
  await fixture.writeTo(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) done(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${out}`)));
  });
  return {
    fixture,
    url,
    ids: fixture.catalog.templates.map((t) => t.id),
    close: async () => {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  await exited;
}

/** The engine's cold batch (download + verify + store) into a fresh cache folder; the catalog is loaded first, outside the timing. */
export async function engineCold(served: Served, ids: readonly string[], concurrency = 8): Promise<{ ms: number; client: MarketplaceClient; cacheDir: string }> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'tm-engine-'));
  const client = await MarketplaceClient.open({ sources: [{ id: 'bench', url: served.url, publicKey: served.fixture.publicKey }], cacheDir, concurrency });
  await client.refresh();
  const result = await client.downloadBatch(ids);
  if (result.totals.failed) throw new Error(`${result.totals.failed} engine downloads failed: ${JSON.stringify(result.items.find((i) => !i.ok))}`);
  return { ms: result.elapsedMs, client, cacheDir };
}

export async function disposeEngine(run: { client: MarketplaceClient; cacheDir: string }): Promise<void> {
  await run.client.close();
  await rm(run.cacheDir, { recursive: true, force: true });
}

/**
 * The floor: a bare undici Pool, and per package one SHA-256, one Ed25519 verify (OpenSSL) and one
 * `writeFile`, `concurrency` at a time. No cache, no atomicity, no metrics: what the work costs.
 */
export async function floorCold(served: Served, ids: readonly string[], concurrency = 8): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-floor-'));
  const byId = new Map(served.fixture.catalog.templates.map((t) => [t.id, t]));
  const key = publisherKey(served.fixture);
  const origin = new URL(served.url);
  const pool = new Pool(origin.origin, { connections: concurrency });
  try {
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const t = byId.get(ids[next++]!)!;
        await floorOne(pool, origin.pathname + t.path, t, key, dir);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return performance.now() - started;
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function floorOne(pool: Pool, path: string, t: TemplateEntry, key: KeyObject, dir: string): Promise<void> {
  const res = await pool.request({ method: 'GET', path });
  const bytes = new Uint8Array(await res.body.arrayBuffer());
  if (res.statusCode !== 200 || bytes.byteLength !== t.size) throw new Error(`floor: ${path} answered ${res.statusCode}`);
  const digest = sha256Hex(bytes);
  if (digest !== t.sha256) throw new Error(`floor: ${path} digest`);
  if (!verify(null, Buffer.from(digest, 'hex'), key, fromBase64(t.signature)!)) throw new Error(`floor: ${path} signature`);
  await writeFile(join(dir, digest), bytes);
}

function publisherKey(fixture: MarketplaceFixture): KeyObject {
  const raw = Buffer.from(fixture.publisherKey.publicKey);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Median of a few numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Exponent b of time ≈ a·n^b, by least squares on log-log. */
export function fittedExponent(points: readonly { n: number; ms: number }[]): number {
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export { sha256Hex };
