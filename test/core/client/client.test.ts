import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { MarketplaceClient, type MarketplaceClientOptions } from '../../../src/core';
import { FixtureServer, MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';

const TEMPLATES = [
  { id: 'readme', downloads: 900, tags: ['readme', 'markdown'], description: 'Project front page' },
  { id: 'changelog', downloads: 500, tags: ['changelog', 'release'] },
  { id: 'contributing', downloads: 700, tags: ['community'] },
  { id: 'adr', downloads: 300, tags: ['architecture'] },
];

/** A fast, deterministic retry policy so fault tests do not wait on real backoff. */
const FAST_HTTP = { retries: 3, baseDelayMs: 1, maxDelayMs: 5, random: () => 0.5 } as const;

async function setup(t: TestContext, opts: Partial<MarketplaceClientOptions> = {}, fixture = new MarketplaceFixture(TEMPLATES)) {
  const server = await FixtureServer.start(fixture);
  t.after(() => server.close());
  const cacheDir = await tempDir(t);
  const clock = { now: Date.parse('2026-11-24T00:00:00Z') };
  const open = async (extra: Partial<MarketplaceClientOptions> = {}) => {
    const client = await MarketplaceClient.open({
      sources: [{ id: 'fixture', url: server.url, publicKey: fixture.publicKey }],
      cacheDir,
      http: FAST_HTTP,
      now: () => clock.now,
      ...opts,
      ...extra,
    });
    t.after(() => client.close());
    return client;
  };
  return { fixture, server, cacheDir, clock, open, client: await open() };
}

describe('MarketplaceClient: tiers', () => {
  test('a package is read from the network, then memory, then disk in a new client', async (t) => {
    const { client, server, fixture, open } = await setup(t);
    const cold = await client.downloadBatch(['readme']);
    assert.equal(cold.items[0]?.ok && cold.items[0].from, 'network');
    assert.deepEqual(cold.items[0]?.ok && cold.items[0].bytes, fixture.packages.get('readme'));

    const warm = await client.downloadBatch(['readme']);
    assert.equal(warm.items[0]?.ok && warm.items[0].from, 'memory');
    assert.equal(server.count('packages/readme-1.0.0.zip'), 1);

    const second = await open();
    const fromDisk = await second.downloadBatch(['fixture/readme']);
    assert.equal(fromDisk.items[0]?.ok && fromDisk.items[0].from, 'disk');
    assert.equal(server.count('packages/readme-1.0.0.zip'), 1, 'the disk tier served it: no new request');

    const m = client.metrics.snapshot();
    assert.ok(m.tiers.memory.hits >= 1 && m.tiers.network.misses >= 1);
    assert.equal(m.totals.downloads, 1);
    assert.ok(m.hitRatio > 0 && m.hitRatio < 1);
  });

  test('an unchanged catalog costs a 304 once its TTL has passed', async (t) => {
    const { client, server, clock } = await setup(t, { catalogTtlMs: 60_000 });
    await client.refresh();
    assert.equal(server.count('catalog.json'), 1);
    await client.refresh();
    assert.equal(server.count('catalog.json'), 1, 'fresh: served from memory');
    clock.now += 61_000;
    await client.refresh({ force: true });
    const statuses = server.requests.filter((r) => r.path === 'catalog.json').map((r) => r.status);
    assert.deepEqual(statuses, [200, 304]);
    assert.equal(client.status()[0]?.state, 'fresh');
    assert.equal(client.metrics.snapshot().tiers.network.hits, 1, 'a 304 counts as a network-tier hit');
  });

  test('a stale catalog is served at once and revalidated in the background', async (t) => {
    const { client, server, clock, fixture } = await setup(t, { catalogTtlMs: 1000 });
    assert.equal((await client.list()).length, 4);
    fixture.publish([...TEMPLATES, { id: 'runbook', downloads: 10 }], { version: 2 });
    clock.now += 2000;
    const changed = new Promise<void>((resolve) => client.onDidChangeCatalogs(() => resolve()));
    assert.equal((await client.list()).length, 4, 'the stale catalog is served without waiting');
    await changed;
    assert.equal((await client.list()).length, 5, 'the revalidated catalog replaced it');
    assert.equal(server.count('catalog.json'), 2);
  });

  test('warmup fills the caches and clear() empties memory and disk', async (t) => {
    const { client, server, open } = await setup(t);
    const warm = await client.warmup(['readme', 'adr']);
    assert.equal(warm.totals.done, 2);
    const before = await client.cacheStats();
    assert.ok(before.memory.entries >= 2 && before.disk.entries >= 3, 'two packages and the catalog');

    await client.clear();
    const after = await client.cacheStats();
    assert.equal(after.memory.entries, 0);
    assert.equal(after.disk.entries, 0);
    const again = await (await open()).downloadBatch(['readme']);
    assert.equal(again.items[0]?.ok && again.items[0].from, 'network');
    assert.equal(server.count('packages/readme-1.0.0.zip'), 2);
    assert.equal(server.count('catalog.json'), 2, 'the catalog is fetched again too');
  });

  test('a large batch lists the disk tier once: what is there is read from disk, the rest downloaded, a corrupt one refetched', async (t) => {
    const many = Array.from({ length: 40 }, (_, i) => ({ id: `t${i}` }));
    const { client, server, cacheDir, open, fixture } = await setup(t, {}, new MarketplaceFixture(many));
    const firstHalf = many.slice(0, 20).map((m) => m.id);
    await client.downloadBatch(firstHalf); // 20 < 32: no listing, a probe per package
    await client.close();
    // One of those on disk is damaged: the listing names it, the read still checks it.
    const records = await listFiles(join(cacheDir, 'cache', 'keys'));
    const damaged = await findRecordOf(records, fixture.catalog.templates.find((e) => e.id === 't3')!.sha256);
    const bytes = await readFile(damaged);
    bytes[bytes.length - 1]! ^= 0xff;
    await writeFile(damaged, bytes);

    const second = await open();
    const result = await second.downloadBatch(many.map((m) => m.id));
    assert.equal(result.totals.failed, 0);
    for (const [i, item] of result.items.entries()) {
      assert.ok(item.ok);
      assert.equal(item.from, i < 20 && i !== 3 ? 'disk' : 'network', item.ref);
      assert.deepEqual(item.bytes, fixture.packages.get(`t${i}`));
    }
    for (let i = 0; i < 40; i++) assert.equal(server.count(`packages/t${i}-1.0.0.zip`), i === 3 ? 2 : 1, `t${i}: downloaded once, the damaged one again`);
  });

  test('a corrupt disk entry is detected, never served, and refetched', async (t) => {
    const { client, server, cacheDir, open, fixture } = await setup(t);
    await client.downloadBatch(['readme', 'adr']);
    await client.close();
    // Small packages and the catalog sit in their records (keys/), larger values in blobs/: damage all.
    const blobs = [...(await listFiles(join(cacheDir, 'cache', 'keys'))), ...(await listFiles(join(cacheDir, 'cache', 'blobs')))];
    assert.ok(blobs.length >= 3, 'catalog and two packages are on disk');
    for (const blob of blobs) {
      const bytes = await readFile(blob);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      await writeFile(blob, bytes);
    }
    const second = await open();
    const result = await second.downloadBatch(['readme']);
    assert.ok(result.items[0]?.ok);
    assert.equal(result.items[0].from, 'network');
    assert.deepEqual(result.items[0].bytes, fixture.packages.get('readme'));
    assert.equal(server.count('packages/readme-1.0.0.zip'), 2);
  });
});

describe('MarketplaceClient: network faults', () => {
  test('retries 500, 429 with Retry-After and a reset connection, then succeeds', async (t) => {
    const { client, server } = await setup(t);
    server.inject('packages/readme-1.0.0.zip', { status: 500 }, { status: 429, retryAfter: '0' }, 'reset');
    const result = await client.downloadBatch(['readme']);
    assert.ok(result.items[0]?.ok, 'succeeded after three failures');
    assert.deepEqual(
      server.requests.filter((r) => r.path === 'packages/readme-1.0.0.zip').map((r) => r.status),
      [500, 429, 0, 200],
    );
  });

  test('a truncated body is never accepted', async (t) => {
    const { client, server, fixture } = await setup(t, { http: { ...FAST_HTTP, retries: 1 } });
    server.inject('packages/adr-1.0.0.zip', 'truncate', 'truncate');
    const [item] = (await client.downloadBatch(['adr'])).items;
    assert.equal(item?.ok, false);
    assert.equal(!item.ok && item.error.code, 'E_NETWORK');
    const again = await client.downloadBatch(['adr']);
    assert.deepEqual(again.items[0]?.ok && again.items[0].bytes, fixture.packages.get('adr'));
  });

  test('a server that never answers times out with a clear error', async (t) => {
    const { client, server } = await setup(t, { http: { ...FAST_HTTP, retries: 0, headersTimeoutMs: 150 } });
    await client.refresh();
    server.inject('packages/readme-1.0.0.zip', 'stall');
    const [item] = (await client.downloadBatch(['readme'])).items;
    assert.equal(!item?.ok && item?.error.code, 'E_TIMEOUT');
  });

  test('a package larger than its catalog size is aborted', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES);
    const entry = fixture.catalog.templates.find((e) => e.id === 'readme')!;
    entry.size -= 10; // the catalog now promises fewer bytes than the server sends
    fixture.signCatalog();
    const { client } = await setup(t, {}, fixture);
    const [item] = (await client.downloadBatch(['readme'])).items;
    assert.equal(!item?.ok && item?.error.code, 'E_TOO_LARGE');
  });

  test('offline with nothing cached fails with an actionable error', async (t) => {
    const { server, open } = await setup(t);
    await server.close();
    const client = await open({ http: { ...FAST_HTTP, retries: 0 } });
    await assert.rejects(client.search({ query: 'readme' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_NETWORK');
      return true;
    });
    assert.equal(client.status()[0]?.state, 'offline');
  });
});

describe('MarketplaceClient: catalog trust', () => {
  test('a catalog signed by another key is refused', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES);
    const { open } = await setup(t, {}, fixture);
    fixture.publish(TEMPLATES, { version: 1, signWith: fixture.publisherKey });
    const client = await open({ cacheDir: await tempDir(t) });
    await assert.rejects(client.list(), /not signed by a trusted key/);
  });

  test('a rollback to a lower version is refused and the accepted catalog kept, across restarts', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { version: 5 });
    const { client, open } = await setup(t, {}, fixture);
    assert.equal((await client.list()).length, 4);
    fixture.publish(TEMPLATES.slice(0, 2), { version: 4 });
    const [status] = await client.refresh({ force: true });
    assert.equal(status?.state, 'error');
    assert.equal((status?.error as { code?: string })?.code, 'E_ROLLBACK');
    assert.equal(status?.version, 5);
    assert.equal((await client.list()).length, 4, 'still serving version 5');

    await client.clear(); // clearing the cache must not forget what was accepted
    const restarted = await open();
    await assert.rejects(restarted.list(), (err: Error & { code?: string }) => err.code === 'E_ROLLBACK' && /older than version 5/.test(err.message));
  });

  test('an expired catalog is refused; offline, the cached copy is served marked stale', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { expires: '2026-12-01T00:00:00Z' });
    const { client, clock, server, open } = await setup(t, { catalogTtlMs: 1000 }, fixture);
    assert.equal((await client.list()).length, 4);

    clock.now = Date.parse('2026-12-02T00:00:00Z');
    await assert.rejects(client.list(), (err: Error & { code?: string }) => err.code === 'E_EXPIRED' && /expired at 2026-12-01/.test(err.message));

    await server.close();
    const offline = await open({ http: { ...FAST_HTTP, retries: 0 } });
    const listed = await offline.list();
    assert.equal(listed.length, 4);
    const [status] = offline.status();
    assert.equal(status?.state, 'offline');
    assert.equal(status?.expired, true);
  });
});

describe('MarketplaceClient: batches, verification, install', () => {
  test('concurrent batches for the same ids download each package once', async (t) => {
    const { client, server } = await setup(t);
    const ids = TEMPLATES.map((x) => x.id);
    const [a, b, c] = await Promise.all([client.downloadBatch(ids), client.downloadBatch(ids), client.downloadBatch([...ids].reverse())]);
    for (const r of [a, b, c]) assert.equal(r.totals.done, 4);
    for (const id of ids) assert.equal(server.count(`packages/${id}-1.0.0.zip`), 1, id);
  });

  test('a batch reports progress and one failure does not sink it', async (t) => {
    const { client, server } = await setup(t, { http: { ...FAST_HTTP, retries: 0 } });
    server.inject('packages/adr-1.0.0.zip', { status: 404 });
    const events: string[] = [];
    const result = await client.downloadBatch(['readme', 'adr', 'nope', 'changelog'], {
      concurrency: 2,
      onProgress: (e) => events.push(`${e.type}:${e.ref}`),
    });
    assert.deepEqual(result.items.map((i) => i.ok), [true, false, false, true]);
    assert.equal(!result.items[2]!.ok && result.items[2]!.error.code, 'E_NOT_FOUND');
    assert.deepEqual(result.totals, { total: 4, done: 2, failed: 2, bytes: result.totals.bytes });
    assert.ok(events.includes('done:readme') && events.includes('failed:adr') && events.includes('failed:nope'));
  });

  test('cancelling a batch stops the downloads not yet done', async (t) => {
    const { client, server } = await setup(t);
    server.inject('packages/readme-1.0.0.zip', 'stall');
    await client.refresh();
    const controller = new AbortController();
    const pending = client.downloadBatch(['readme', 'adr', 'changelog'], { concurrency: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    assert.ok(result.items.every((i) => !i.ok && i.error.code === 'E_ABORTED'));
    assert.equal(server.count('packages/adr-1.0.0.zip'), 0);
  });

  test('verifyBatch names the template whose signature does not verify', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES);
    const good = fixture.catalog.templates.find((e) => e.id === 'readme')!;
    fixture.catalog.templates.find((e) => e.id === 'adr')!.signature = good.signature; // wrong digest signed
    fixture.signCatalog();
    const { client, cacheDir } = await setup(t, {}, fixture);
    const results = await client.verifyBatch(['readme', 'adr', 'changelog']);
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    assert.deepEqual(results.map((r) => r.ref), ['readme', 'adr', 'changelog'], 'each result under the ref it was asked for');
    const bad = results[1]!;
    assert.ok(!bad.ok && bad.error.code === 'E_SIGNATURE' && /"fixture\/adr"/.test(bad.error.message), !bad.ok ? bad.error.message : '');

    const again = await client.verifyBatch(['readme', 'changelog']);
    assert.ok(again.every((r) => r.ok && r.cached), 'a repeated verification is served from the result cache');
    await assert.rejects(client.install('adr', join(cacheDir, 'ws')), (err: Error & { code?: string }) => err.code === 'E_SIGNATURE');
  });

  test('install fills variables and refuses to overwrite silently', async (t) => {
    const { client, cacheDir } = await setup(t);
    const ws = join(cacheDir, 'workspace');
    await mkdir(ws);
    const result = await client.install('readme', ws, { projectName: 'acme' });
    assert.deepEqual(result.written, ['readme.md']);
    assert.equal(await readFile(join(ws, 'readme.md'), 'utf8'), '# acme\n\nreadme\n');
    await assert.rejects(client.install('readme', ws, { projectName: 'other' }), (err: Error & { code?: string }) => err.code === 'E_CONFLICT');
    assert.equal(await readFile(join(ws, 'readme.md'), 'utf8'), '# acme\n\nreadme\n', 'the first install is untouched');
  });

  test('search ranks across several sources, including a file: marketplace', async (t) => {
    const local = new MarketplaceFixture([{ id: 'runbook', downloads: 50, tags: ['operations'], description: 'On-call readme for operators' }]);
    const localDir = await tempDir(t);
    await local.writeTo(localDir);
    const remote = new MarketplaceFixture(TEMPLATES);
    const server = await FixtureServer.start(remote);
    t.after(() => server.close());
    const client = await MarketplaceClient.open({
      sources: [
        { id: 'remote', url: server.url, publicKey: remote.publicKey },
        { id: 'local', url: pathToFileURL(localDir).href, publicKey: local.publicKey },
      ],
      cacheDir: await tempDir(t),
    });
    t.after(() => client.close());
    const { hits, total } = await client.search({ query: 'readme' });
    assert.equal(total, 2);
    assert.deepEqual(hits.map((h) => h.entry.ref), ['remote/readme', 'local/runbook'], 'a name match outranks a description match');
    const bytes = await client.getPackage('local/runbook');
    assert.deepEqual(bytes, local.packages.get('runbook'));
  });

  test('with prefetchPopular set, the first catalog load prefetches in the background', async (t) => {
    const { client, server } = await setup(t, { prefetchPopular: 2 });
    await client.refresh();
    // Bounded wait for the background prefetch: at most 200 x 10 ms.
    for (let i = 0; i < 200 && server.count('packages/contributing-1.0.0.zip') === 0; i++) await delay(10);
    for (let i = 0; i < 200 && server.count('packages/readme-1.0.0.zip') === 0; i++) await delay(10);
    assert.equal(server.count('packages/readme-1.0.0.zip'), 1);
    assert.equal(server.count('packages/contributing-1.0.0.zip'), 1);
    assert.equal(server.count('packages/adr-1.0.0.zip'), 0, 'only the two most downloaded');
    // close() waits for the prefetch to finish writing its cache files; the temp folder's removal,
    // an after-hook that runs before the client's, would otherwise race it (ENOTEMPTY).
    await client.close();
  });

  test('prefetch warms the caches with the most popular templates', async (t) => {
    const { client, server } = await setup(t);
    const result = await client.prefetchPopular(2);
    assert.deepEqual(result.items.map((i) => i.ref).sort(), ['fixture/contributing', 'fixture/readme']);
    assert.equal(server.count('packages/readme-1.0.0.zip'), 1);
    assert.equal(server.count('packages/adr-1.0.0.zip'), 0);
    const warm = await client.downloadBatch(['readme']);
    assert.equal(warm.items[0]?.ok && warm.items[0].from, 'memory');
  });
});

/** The record (keys/*.json) holding the package with this digest. */
async function findRecordOf(records: readonly string[], sha256: string): Promise<string> {
  for (const path of records) {
    if ((await readFile(path, 'latin1')).includes(`"key":"pkg:${sha256}"`)) return path;
  }
  throw new Error(`no record holds ${sha256}`);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out;
}
