import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { activate } from './support';

/** Runs after a fresh start of VS Code on the user data of the first phase. */
describe('activation (second start, same user data)', () => {
  it('serves the catalog from the disk tier written by the first start', async () => {
    const { api } = await activate();
    const client = await api.client();
    const before = client.metrics.snapshot().tiers.disk.hits;
    assert.equal((await client.list()).length, 20);
    const after = client.metrics.snapshot();
    assert.ok(after.tiers.disk.hits > before, `the catalog came from disk: ${JSON.stringify(after.tiers)}`);
    assert.equal(after.tiers.network.hits + after.tiers.network.misses, 0, `nothing was fetched: ${JSON.stringify(after.tiers)}`);
  });

  it('closes the engine when the extension is deactivated', async () => {
    const { extension, api } = await activate();
    const client = await api.client();
    // The module VS Code loaded: require returns the same instance, so this is the real deactivate().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(join(extension.extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> | undefined };
    await main.deactivate();
    await assert.rejects(client.search({ query: 'readme' }), { code: 'E_ABORTED' });
  });
});
