import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MarketplaceClient } from '../../../src/core';
import { LIMITS, sha256Hex, signPackageDigest } from '../../../src/core/format';
import { FixtureServer, MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';
import { maxCatalogEnvelope } from '../format/catalogBuilder';

describe('documented limits, end to end through the client', { timeout: 60_000 }, () => {
  test(`a ${LIMITS.maxTemplates}-template catalog of exactly ${LIMITS.maxCatalogBytes} bytes loads over HTTP and is searchable; one byte more is refused as too large`, async (t) => {
    const fixture = new MarketplaceFixture([{ id: 'readme' }]);
    const max = maxCatalogEnvelope(fixture.catalogKey, fixture.publisherKey);
    fixture.files.set('catalog.json', max);
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const open = async () => {
      const client = await MarketplaceClient.open({ sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir: await tempDir(t), http: { retries: 0 } });
      t.after(() => client.close());
      return client;
    };
    const client = await open();
    const { total, hits } = await client.search({ query: 'template 4999' });
    assert.equal((await client.list()).length, LIMITS.maxTemplates);
    assert.ok(total >= 1 && hits[0]?.entry.id === 't04999', JSON.stringify(hits[0]?.entry.id));
    assert.equal(client.status()[0]?.state, 'fresh');

    const past = new Uint8Array(max.length + 1).fill(0x20);
    past.set(max);
    fixture.files.set('catalog.json', past);
    const refused = await open();
    await assert.rejects(refused.list(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_TOO_LARGE', err.message);
      assert.match(err.message, new RegExp(`${LIMITS.maxCatalogBytes + 1} bytes, more than the ${LIMITS.maxCatalogBytes}-byte limit`));
      return true;
    });
    assert.equal(refused.status()[0]?.state, 'error', 'an oversized answer is a refusal, not an outage');
  });

  test(`a package of exactly ${LIMITS.maxPackageBytes} bytes downloads and verifies`, async (t) => {
    const fixture = new MarketplaceFixture([{ id: 'big' }]);
    const bytes = new Uint8Array(LIMITS.maxPackageBytes).map((_, i) => (i * 2654435761) >>> 24);
    const entry = fixture.catalog.templates[0]!;
    const sha256 = sha256Hex(bytes);
    Object.assign(entry, { size: bytes.length, sha256, signature: signPackageDigest(sha256, fixture.publisherKey.secretKey) });
    fixture.files.set(entry.path, bytes);
    fixture.signCatalog();
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const client = await MarketplaceClient.open({ sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir: await tempDir(t) });
    t.after(() => client.close());
    const [result] = await client.verifyBatch(['big']);
    assert.equal(result?.ok, true, result && !result.ok ? result.error.message : '');
  });
});
