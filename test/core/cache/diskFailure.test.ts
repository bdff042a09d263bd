import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { DiskCache, type CacheProblem } from '../../../src/core/cache';
import { MarketplaceClient, MarketplaceError } from '../../../src/core';
import { FixtureServer, MarketplaceFixture } from '../../helpers/marketplaceFixture';
import { patchFs, withFullDisk, withReadOnly } from './fsFaults';

let sandbox: string;
before(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'tm-diskfail-'));
});
after(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

let counter = 0;
async function freshDir(name: string): Promise<string> {
  const dir = join(sandbox, `${name}-${++counter}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Every file below `dir`, relative. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1));
  }
  return out.sort();
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);

describe('DiskCache: a folder it cannot write is a problem it absorbs, never a failure', () => {
  test('a full disk: set stores nothing, says why, leaves no temp file; a later write clears the problem', async () => {
    const dir = await freshDir('full');
    const problems: CacheProblem[] = [];
    const cache = await DiskCache.open({ dir, maxBytes: 10_000_000, ttlMs: 60_000, onProblem: (p) => problems.push(p) });
    await cache.set('kept', bytes(1000));
    const before = await files(dir);
    const undo = patchFs(dir, 'ENOSPC');
    let result;
    try {
      result = await cache.set('key', bytes(50_000, 2));
    } finally {
      undo();
    }
    assert.deepEqual(await files(dir), before, 'the half-written file is removed, not left for a reader to trip on');
    assert.equal(result.storedBytes, 0);
    assert.equal(result.problem?.code, 'ENOSPC');
    assert.equal(result.problem?.operation, 'write');
    assert.deepEqual(problems.map((p) => p.code), ['ENOSPC']);
    assert.equal((await cache.stats()).problem?.code, 'ENOSPC');
    assert.equal(await cache.get('key'), undefined, 'nothing half-written is served');
    assert.deepEqual((await cache.get('kept'))?.bytes, bytes(1000), 'what was stored before is still served');

    const later = await cache.set('key', bytes(50_000, 2));
    assert.ok(later.storedBytes > 0);
    assert.equal((await cache.stats()).problem, undefined, 'the disk has room again');
    await cache.close();
  });

  test('a read-only folder still serves what it holds; writes and removals are absorbed', async () => {
    const dir = await freshDir('ro');
    // Written an hour ago, so a hit now is due to bump its (coarse) recency.
    const writer = await DiskCache.open({ dir, maxBytes: 10_000_000, ttlMs: 3_600_000 + 60_000, now: () => Date.now() - 3_600_000 });
    await writer.set('a', bytes(5000));
    await writer.set('b', bytes(200, 3), { ttlMs: 0 });
    await writer.close();
    await withReadOnly(dir, async (kind) => {
      const problems: CacheProblem[] = [];
      const cache = await DiskCache.open({ dir, maxBytes: 10_000_000, ttlMs: 60_000, onProblem: (p) => problems.push(p) });
      assert.deepEqual((await cache.get('a'))?.bytes, bytes(5000), `served from a read-only folder (${kind})`);
      assert.ok(problems.some((p) => p.operation === 'touch'), 'the recency update could not be written, and that was said');
      assert.deepEqual((await cache.get('b', { allowStale: true }))?.bytes, bytes(200, 3));
      const stored = await cache.set('c', bytes(100));
      assert.equal(stored.storedBytes, 0);
      // Whatever the kernel says (EROFS; ENOENT for a missing subfolder it may not create; EACCES).
      assert.match(stored.problem?.code ?? '', /^E[A-Z]+$/);
      await cache.delete('a'); // absorbed
      assert.ok(await cache.refresh('a', { ttlMs: 1000 }), 'a refresh still gives the new expiry, from memory');
      await cache.close();
    });
  });

  test('a cache folder that cannot be created gives an empty cache, not an error', async () => {
    const file = join(await freshDir('blocked'), 'file');
    await writeFile(file, 'x');
    const cache = await DiskCache.open({ dir: join(file, 'cache'), maxBytes: 1000, ttlMs: 1000 });
    assert.equal(await cache.get('a'), undefined);
    assert.equal((await cache.set('a', bytes(10))).storedBytes, 0);
    const stats = await cache.stats();
    assert.equal(stats.problem?.operation, 'open');
    assert.equal(stats.problem?.code, 'ENOTDIR');
    await cache.close();
  });
});

describe('MarketplaceClient on a damaged cache folder', () => {
  const TEMPLATES = [{ id: 'readme', padding: 40_000 }, { id: 'adr', padding: 40_000 }];

  async function serve(t: TestContext) {
    const fixture = new MarketplaceFixture(TEMPLATES);
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    return { fixture, server };
  }

  async function openClient(t: TestContext, url: string, publicKey: string, cacheDir: string, extra: { catalogTtlMs?: number; now?: () => number } = {}) {
    const client = await MarketplaceClient.open({
      sources: [{ id: 'fixture', url, publicKey }],
      cacheDir,
      http: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      ...extra,
    });
    t.after(() => client.close());
    return client;
  }

  test('a full disk: search, download and install go on from memory; the problem is reported as a cache problem', async (t) => {
    const { fixture, server } = await serve(t);
    const cacheDir = await freshDir('client-full');
    await withFullDisk(cacheDir, 64 * 1024, async (kind) => {
      // Fill the small file system, leaving room for folders and little else.
      await writeFile(join(cacheDir, 'filler'), new Uint8Array(64 * 1024 - 8 * 1024)).catch(() => undefined);
      const client = await openClient(t, server.url, fixture.publicKey, cacheDir);
      const { hits } = await client.search({ query: 'readme' });
      assert.equal(hits[0]?.entry.id, 'readme', `search works (${kind})`);
      const batch = await client.downloadBatch(['readme', 'adr']);
      for (const item of batch.items) assert.ok(item.ok, `${item.ref}: ${item.ok ? '' : `${item.error.code} ${item.error.message}`}`);
      const ws = await freshDir('ws-full');
      const result = await client.install('readme', ws);
      assert.deepEqual(result.written, ['padding.bin', 'readme.md']);
      assert.equal(client.status()[0]?.state, 'fresh', 'the catalog is not in error');
      assert.equal(client.status()[0]?.error, undefined);
      const stats = await client.cacheStats();
      assert.equal(stats.disk.problem?.code, 'ENOSPC', `reported as a cache problem: ${JSON.stringify(stats.disk)}`);
      assert.equal(client.metrics.snapshot().totals.errors, 0, 'nothing counted as a failed download or verification');
      assert.ok((await files(cacheDir)).every((f) => !f.endsWith('.tmp')), 'no temp file is left on the full disk');
      await client.close();
    });
  });

  test('a read-only cache folder that holds a complete cache serves search and install, online and offline', async (t) => {
    const { fixture, server } = await serve(t);
    const cacheDir = await freshDir('client-ro');
    const clock = { now: Date.parse('2026-11-24T00:00:00Z') };
    const first = await openClient(t, server.url, fixture.publicKey, cacheDir, { now: () => clock.now, catalogTtlMs: 60_000 });
    await first.downloadBatch(['readme', 'adr']);
    await first.close();
    const before = await readFile(join(cacheDir, 'trust.json'), 'utf8');

    await withReadOnly(cacheDir, async (kind) => {
      // Online, with the catalog past its TTL: the revalidation cannot be stored, and need not be.
      clock.now += 120_000;
      const online = await openClient(t, server.url, fixture.publicKey, cacheDir, { now: () => clock.now, catalogTtlMs: 60_000 });
      assert.equal((await online.list()).length, 2, `listed (${kind})`);
      await online.refresh({ force: true });
      assert.equal(online.status()[0]?.state, 'fresh', JSON.stringify(online.status()[0]?.error?.message));
      const ws1 = await freshDir('ws-ro-online');
      assert.deepEqual((await online.install('adr', ws1)).written, ['adr.md', 'padding.bin']);
      await online.close();

      // Offline: everything comes from the read-only folder.
      await server.close();
      const offline = await openClient(t, server.url, fixture.publicKey, cacheDir, { now: () => clock.now, catalogTtlMs: 10 * 60_000 });
      const { hits } = await offline.search({ query: 'readme' });
      assert.equal(hits[0]?.entry.id, 'readme');
      const ws2 = await freshDir('ws-ro-offline');
      const result = await offline.install('readme', ws2);
      assert.deepEqual(result.written, ['padding.bin', 'readme.md']);
      const batch = await offline.downloadBatch(['readme', 'adr']);
      assert.deepEqual(batch.items.map((i) => i.ok && i.from), ['memory', 'disk'], 'readme was just installed; adr comes from the read-only disk');
      await offline.close();
    });
    assert.equal(await readFile(join(cacheDir, 'trust.json'), 'utf8'), before);
  });

  test('errors from a full disk never surface as network or verification errors', async (t) => {
    const { fixture, server } = await serve(t);
    const cacheDir = await freshDir('client-seam');
    const client = await openClient(t, server.url, fixture.publicKey, cacheDir);
    const undo = patchFs(cacheDir, 'ENOSPC');
    try {
      const verified = await client.verifyBatch(['readme', 'adr']);
      for (const v of verified) assert.ok(v.ok, `${v.ref}: ${v.ok ? '' : (v.error as MarketplaceError).code}`);
    } finally {
      undo();
    }
  });
});
