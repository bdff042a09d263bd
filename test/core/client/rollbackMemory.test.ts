import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { MarketplaceClient, type MarketplaceClientOptions } from '../../../src/core';
import { CATALOG_PAYLOAD_TYPE, fromBase64, generateKeyPair, parseEnvelope, signEnvelope, utf8 } from '../../../src/core/format';
import { FixtureServer, MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';

const TEMPLATES = [{ id: 'readme' }, { id: 'adr' }, { id: 'changelog' }];
const HTTP = { retries: 0, baseDelayMs: 1, maxDelayMs: 2, random: () => 0.5 } as const;

async function served(t: TestContext, fixture: MarketplaceFixture): Promise<FixtureServer> {
  const server = await FixtureServer.start(fixture);
  t.after(() => server.close());
  return server;
}

async function open(t: TestContext, options: Omit<MarketplaceClientOptions, 'http'>): Promise<MarketplaceClient> {
  const client = await MarketplaceClient.open({ http: HTTP, ...options });
  t.after(() => client.close());
  return client;
}

const code = (c: string, message?: RegExp) => (err: Error & { code?: string }) => {
  assert.equal(err.code, c, err.message);
  if (message) assert.match(err.message, message);
  return true;
};

describe('rollback memory that cannot be turned against the user', () => {
  test("one marketplace's version never blocks another's, even under the same source id", async (t) => {
    const high = new MarketplaceFixture(TEMPLATES, { version: 10 });
    const low = new MarketplaceFixture(TEMPLATES.slice(0, 1), { version: 3 });
    const [a, b] = [await served(t, high), await served(t, low)];
    const cacheDir = await tempDir(t);
    // The CLI names every --source "cli": the id is a nickname, not who the marketplace is.
    const first = await open(t, { sources: [{ id: 'cli', url: a.url, publicKey: high.publicKey }], cacheDir });
    assert.equal((await first.list()).length, 3);
    await first.close();
    const second = await open(t, { sources: [{ id: 'cli', url: b.url, publicKey: low.publicKey }], cacheDir });
    assert.equal((await second.list()).length, 1, 'version 3 of another marketplace is not a rollback from 10');
    await second.close();

    // Each keeps its own memory: a real rollback of the first is still refused.
    high.publish(TEMPLATES, { version: 9 });
    const again = await open(t, { sources: [{ id: 'cli', url: a.url, publicKey: high.publicKey }], cacheDir });
    const [status] = await again.refresh({ force: true });
    assert.equal((status?.error as { code?: string })?.code, 'E_ROLLBACK');
    assert.match(String(status?.error?.message), /older than version 10/);
  });

  test('an extra signature around the same signed payload changes nothing; another payload under the same version is refused', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { version: 4 });
    const server = await served(t, fixture);
    const client = await open(t, { sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir: await tempDir(t) });
    assert.equal((await client.list()).length, 3);
    let changes = 0;
    client.onDidChangeCatalogs(() => changes++);

    // An attacker (or a key rotation) adds a signature by a key the client ignores: the envelope's
    // bytes change, the signed payload does not.
    const envelope = parseEnvelope(JSON.parse(utf8.decode(fixture.files.get('catalog.json')!)));
    const payload = fromBase64(envelope.payload)!;
    const reframed = signEnvelope(CATALOG_PAYLOAD_TYPE, payload, [generateKeyPair(), fixture.catalogKey]);
    fixture.files.set('catalog.json', utf8.encode(JSON.stringify(reframed, null, 2)));
    const [status] = await client.refresh({ force: true });
    assert.equal(status?.state, 'fresh', String(status?.error?.message));
    assert.equal(status?.error, undefined);
    assert.equal(changes, 0, 'the same catalog, not a new one');
    assert.equal((await client.verifyBatch(['readme']))[0]?.ok, true);

    // The same version with other signed content is still refused.
    fixture.publish(TEMPLATES.slice(0, 2), { version: 4 });
    const [refused] = await client.refresh({ force: true });
    assert.equal((refused?.error as { code?: string })?.code, 'E_ROLLBACK');
    assert.match(String(refused?.error?.message), /version 4 was already accepted with different content/);
  });

  test('a damaged trust file is rebuilt from the newest verified cached catalog: protection holds', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { version: 5 });
    const server = await served(t, fixture);
    const cacheDir = await tempDir(t);
    const options = { sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir };
    const first = await open(t, options);
    assert.equal((await first.list()).length, 3);
    await first.close();

    await writeFile(join(cacheDir, 'trust.json'), '{"format": 2, "gener\u0000');
    fixture.publish(TEMPLATES.slice(0, 1), { version: 4 }); // and the server now tries a rollback
    const client = await open(t, options);
    const [status] = await client.refresh({ force: true });
    assert.equal((status?.error as { code?: string })?.code, 'E_ROLLBACK', String(status?.error?.message));
    assert.equal((await client.list()).length, 3, 'still version 5');
    const trust = JSON.parse(await readFile(join(cacheDir, 'trust.json'), 'utf8')) as { marketplaces: Record<string, { version: number }> };
    assert.deepEqual(Object.values(trust.marketplaces).map((r) => r.version), [5], 'the record was rebuilt from the cache');
    assert.ok((await readdir(cacheDir)).some((f) => f.startsWith('trust.json.damaged-')), 'the damaged file is kept');
  });

  test('a damaged trust file, with nothing cached to rebuild from, refuses until reset', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { version: 5 });
    const server = await served(t, fixture);
    const cacheDir = await tempDir(t);
    const options = { sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir };
    const first = await open(t, options);
    assert.equal((await first.list()).length, 3);
    await first.clear(); // the cache is gone: nothing left to rebuild the memory from
    await first.close();
    await writeFile(join(cacheDir, 'trust.json'), 'not json at all');

    const client = await open(t, options);
    await assert.rejects(client.list(), code('E_TRUST_STORE', /template-marketplace trust reset --source http:\/\/127\.0\.0\.1:\d+\/ --key/));
    assert.equal(client.status()[0]?.state, 'error');
    assert.ok(client.trustState().damage);

    assert.equal(await client.resetTrust(['m']), 1);
    assert.equal((await client.list()).length, 3, 'accepted as new after an explicit reset');
  });

  test('a trust file of the older format (by source id) carries its versions over as floors', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { version: 5 });
    const fresh = new MarketplaceFixture(TEMPLATES.slice(0, 1), { version: 1 });
    const [server, freshServer] = [await served(t, fixture), await served(t, fresh)];
    const cacheDir = await tempDir(t);
    // Nothing cached; the old file knew "m" at version 5 (with an envelope digest it cannot compare),
    // and "cli", the id the old CLI gave every marketplace.
    await writeFile(join(cacheDir, 'trust.json'), JSON.stringify({ m: { version: 5, sha256: 'ab'.repeat(32) }, cli: { version: 9, sha256: 'cd'.repeat(32) } }));
    fixture.publish(TEMPLATES.slice(0, 1), { version: 4 });
    const client = await open(t, {
      sources: [
        { id: 'm', url: server.url, publicKey: fixture.publicKey },
        { id: 'new', url: freshServer.url, publicKey: fresh.publicKey },
      ],
      cacheDir,
    });
    const [m, added] = await client.refresh({ force: true });
    assert.equal((m?.error as { code?: string })?.code, 'E_ROLLBACK', 'version 4 is below the carried-over 5');
    assert.equal(added?.state, 'fresh', 'a source the old file never knew is simply new');

    fixture.publish(TEMPLATES, { version: 5 }); // the version the old file knew: accepted, and its digest learnt
    assert.equal((await client.refresh({ force: true }))[0]?.state, 'fresh');
    fixture.publish(TEMPLATES.slice(0, 2), { version: 5 });
    assert.equal(((await client.refresh({ force: true }))[0]?.error as { code?: string })?.code, 'E_ROLLBACK', 'now other content under 5 is refused');

    // The shared CLI id is not carried over: a CLI marketplace with nothing cached must be reset.
    const cliDir = await tempDir(t);
    await writeFile(join(cliDir, 'trust.json'), JSON.stringify({ cli: { version: 9, sha256: 'cd'.repeat(32) } }));
    const refused = await open(t, { sources: [{ id: 'cli', url: freshServer.url, publicKey: fresh.publicKey }], cacheDir: cliDir });
    await assert.rejects(refused.list(), code('E_TRUST_STORE', /older version/));
  });

  test('a deleted trust file forgets nothing the cache still proves', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { version: 5 });
    const server = await served(t, fixture);
    const cacheDir = await tempDir(t);
    const options = { sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir };
    const first = await open(t, options);
    await first.list();
    await first.close();
    await rm(join(cacheDir, 'trust.json'));
    fixture.publish(TEMPLATES.slice(0, 1), { version: 4 });
    const client = await open(t, options);
    const [status] = await client.refresh({ force: true });
    assert.equal((status?.error as { code?: string })?.code, 'E_ROLLBACK');
  });

  test('resetTrust lets a genuinely restarted marketplace in, and only that one', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { version: 5 });
    const other = new MarketplaceFixture(TEMPLATES, { version: 8 });
    const [server, otherServer] = [await served(t, fixture), await served(t, other)];
    const client = await open(t, {
      sources: [
        { id: 'm', url: server.url, publicKey: fixture.publicKey },
        { id: 'o', url: otherServer.url, publicKey: other.publicKey },
      ],
      cacheDir: await tempDir(t),
    });
    assert.equal((await client.list()).length, 6);
    fixture.publish(TEMPLATES.slice(0, 2), { version: 1 }); // the publisher started over
    other.publish(TEMPLATES.slice(0, 2), { version: 7 }); // while this one is attacked
    const refused = await client.refresh({ force: true });
    assert.deepEqual(refused.map((s) => (s.error as { code?: string })?.code), ['E_ROLLBACK', 'E_ROLLBACK']);

    assert.equal(await client.resetTrust(['m']), 1);
    const after = await client.refresh({ force: true });
    assert.equal(after[0]?.state, 'fresh');
    assert.equal(after[0]?.version, 1);
    assert.equal((after[1]?.error as { code?: string })?.code, 'E_ROLLBACK', 'the other marketplace is still protected');
    await assert.rejects(client.resetTrust(['nope']), code('E_NOT_FOUND'));
  });
});
