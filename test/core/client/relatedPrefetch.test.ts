import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError, MarketplaceClient, type MarketplaceClientOptions } from '../../../src/core';
import { FixtureServer, MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';

/** readme's relatives, best first: contributing and changelog (a tag and the category; contributing is more downloaded), then license (the category). */
const TEMPLATES = [
  { id: 'readme', downloads: 900, tags: ['markdown', 'docs'] },
  { id: 'changelog', downloads: 500, tags: ['markdown', 'release'] },
  { id: 'contributing', downloads: 700, tags: ['community', 'docs'] },
  { id: 'license', downloads: 100, tags: ['legal'] },
  { id: 'dockerfile', downloads: 800, tags: ['docker'], category: 'devops' },
  { id: 'ci', downloads: 50, tags: ['docker', 'release'], category: 'devops' },
];

const pkg = (id: string) => `packages/${id}-1.0.0.zip`;

async function setup(t: TestContext, opts: Partial<MarketplaceClientOptions> = {}) {
  const fixture = new MarketplaceFixture(TEMPLATES);
  const server = await FixtureServer.start(fixture);
  t.after(() => server.close());
  const client = await MarketplaceClient.open({
    sources: [{ id: 'fixture', url: server.url, publicKey: fixture.publicKey }],
    cacheDir: await tempDir(t),
    http: { retries: 0 },
    ...opts,
  });
  t.after(() => client.close());
  return { client, server };
}

/** Bounded wait (at most 300 x 10 ms) until `path` was requested. */
async function requested(server: FixtureServer, path: string): Promise<void> {
  for (let i = 0; i < 300 && server.count(path) === 0; i++) await delay(10);
}

const packagesRequested = (server: FixtureServer) => server.requests.filter((r) => r.path.startsWith('packages/')).map((r) => r.path).sort();

describe('MarketplaceClient: related-template prefetch', () => {
  test('opening a template fetches its three most related in the background, which then come from memory', async (t) => {
    const { client, server } = await setup(t);
    await client.open('readme', { purpose: 'browse' });
    // Bounded wait until the three are in the memory tier (with readme: packages are all it holds).
    for (let i = 0; i < 300 && client.memoryStats().entries < 4; i++) await delay(10);
    const batch = await client.downloadBatch(['contributing', 'changelog', 'license']);
    assert.deepEqual(
      batch.items.map((i) => i.ok && i.from),
      ['memory', 'memory', 'memory'],
    );
    await client.close(); // waits for the prefetch; nothing else was fetched
    assert.deepEqual(packagesRequested(server), [pkg('changelog'), pkg('contributing'), pkg('license'), pkg('readme')]);
  });

  test('installing does it too, bounded by prefetchRelated', async (t) => {
    const { client, server } = await setup(t, { prefetchRelated: 1 });
    const target = await tempDir(t);
    await client.install('dockerfile', target, { projectName: 'demo' });
    await requested(server, pkg('ci'));
    await client.close();
    assert.deepEqual(packagesRequested(server), [pkg('ci'), pkg('dockerfile')]);
  });

  test('prefetchRelated: 0 turns it off', async (t) => {
    const { client, server } = await setup(t, { prefetchRelated: 0 });
    await client.open('readme', { purpose: 'browse' });
    await client.close();
    assert.deepEqual(packagesRequested(server), [pkg('readme')]);
  });

  test('a template that cannot be fetched is skipped, never reported', async (t) => {
    const { client, server } = await setup(t, { prefetchRelated: 0 });
    server.inject(pkg('changelog'), { status: 500 });
    server.inject(pkg('contributing'), 'reset');
    assert.deepEqual(await client.prefetchRelated('readme', { count: 3 }), ['fixture/license']);
    // In the background, the same failures surface nowhere: open() succeeds and the client stays usable.
    const opened = await client.open('readme', { purpose: 'browse' });
    assert.equal(opened.manifest.id, 'readme');
  });

  test('an aborted signal cancels it before any download', async (t) => {
    const { client, server } = await setup(t, { prefetchRelated: 0 });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.prefetchRelated('readme', { signal: controller.signal }), AbortedError);
    assert.deepEqual(packagesRequested(server), []);
  });

  test('a newer open supersedes a stalled prefetch, and close() cancels whatever still runs', async (t) => {
    // Generous timeouts: only cancellation can end a stalled download within the test's lifetime.
    const http = { retries: 0, headersTimeoutMs: 600_000, bodyTimeoutMs: 600_000, deadlineMs: 600_000 };
    const { client, server } = await setup(t, { prefetchRelated: 1, http });
    server.inject(pkg('contributing'), 'stall');
    await client.open('readme', { purpose: 'browse' });
    await requested(server, pkg('contributing')); // stalled now
    await client.open('dockerfile', { purpose: 'browse' });
    await requested(server, pkg('ci'));
    assert.equal((await client.downloadBatch(['ci'])).items[0]?.ok, true);
    server.inject(pkg('changelog'), 'stall');
    await client.prefetchRelated('license', { count: 0 }); // a no-op, for the API's sake
    await client.open('ci', { purpose: 'browse' }); // its relative, dockerfile, is cached already
    await client.close(); // returns although a download stalled: it was cancelled
    assert.equal(server.count(pkg('contributing')), 1);
  });
});
