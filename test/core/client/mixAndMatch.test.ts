import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MarketplaceClient } from '../../../src/core';
import { FixtureServer, MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';

describe('mix-and-match', () => {
  test("a genuine, correctly signed package listed under another template's name is never installed", async (t) => {
    const fixture = new MarketplaceFixture([{ id: 'readme' }, { id: 'adr' }]);
    const readme = fixture.catalog.templates.find((e) => e.id === 'readme')!;
    const adr = fixture.catalog.templates.find((e) => e.id === 'adr')!;
    // The catalog entry for "adr" now points at readme's package: size, digest and publisher signature all verify.
    Object.assign(adr, { path: readme.path, size: readme.size, sha256: readme.sha256, signature: readme.signature });
    fixture.signCatalog();
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const cacheDir = await tempDir(t);
    const client = await MarketplaceClient.open({ sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir });
    t.after(() => client.close());

    const [bytes] = await client.verifyBatch(['adr']);
    assert.equal(bytes?.ok, true, 'the bytes are what the entry says: the swap is only visible inside');
    const ws = join(cacheDir, 'ws');
    await mkdir(ws);
    await assert.rejects(client.install('adr', ws), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_INTEGRITY');
      assert.match(err.message, /template "m\/adr": the package is "readme" "1\.0\.0", not the adr 1\.0\.0 the catalog lists/);
      return true;
    });
    assert.deepEqual(await readdir(ws), [], 'nothing written');
    assert.equal((await client.open('readme')).manifest.id, 'readme', 'the genuine entry still installs');
  });
});
