import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureServer, MarketplaceFixture, type FixtureTemplate } from '../../helpers/marketplaceFixture';
import { activate, restoreSampleMarketplace, runCommand, setUserSetting, useOnlyMarketplace, waitUntil, withSettings, workspaceDir } from './support';

const SLOW: FixtureTemplate = { id: 'slow', version: '1.0.0', files: { 'SLOW.md': '# {{projectName}}\n' } };
const PACKAGE = 'packages/slow-1.0.0.zip';

/**
 * Settings changes reopen the engine. An install that holds the old engine must finish on it: the
 * old one closes only once the install is done (it used to fail with E_ABORTED, "The disk cache
 * is closed", when the engine was reopened twice during an install).
 */
describe('Reopening the engine during an install or a warm-up', () => {
  let server: FixtureServer;
  let fixture: MarketplaceFixture;

  before(async () => {
    fixture = new MarketplaceFixture([SLOW]);
    server = await FixtureServer.start(fixture);
    const { api } = await activate();
    const client = await useOnlyMarketplace(api, { id: 'slow', url: server.url, publicKey: fixture.publicKey, name: 'Slow' });
    assert.deepEqual(client.status().map((s) => s.id), ['slow']);
  });

  after(async () => {
    const { api } = await activate();
    await setUserSetting('templateMarketplace', 'network.timeoutSeconds', undefined);
    await setUserSetting('templateMarketplace', 'network.retries', undefined);
    await restoreSampleMarketplace(api);
    await server.close();
  });

  it('an install in flight survives two reopens and writes its files', async () => {
    const { api } = await activate();
    const dir = join(workspaceDir(), 'reopen-e2e');
    mkdirSync(dir, { recursive: true });
    const before = await api.client();
    // The package answers "503, retry after 2 s" twice: the install is in flight on `before` for ≥ 4 s.
    server.inject(PACKAGE, { status: 503, retryAfter: '2' }, { status: 503, retryAfter: '2' });
    const installing = runCommand<{ status: string; written?: string[]; code?: string; message?: string }>('installTemplate', {
      ref: 'slow/slow',
      targetDir: dir,
      variables: { projectName: 'acme' },
      open: false,
    });
    await waitUntil(() => server.count(PACKAGE) >= 1, 'the install has asked for the package');

    const first = await withSettings(api, () => setUserSetting('templateMarketplace', 'network.timeoutSeconds', 31));
    const second = await withSettings(api, () => setUserSetting('templateMarketplace', 'network.retries', 3));
    assert.notEqual(first, before, 'the engine was reopened');
    assert.notEqual(second, first, 'and reopened again');
    assert.ok(server.count(PACKAGE) < 3, 'both reopens happened while the install was still waiting for its package');

    const r = await installing;
    assert.equal(r.status, 'installed', JSON.stringify(r));
    assert.deepEqual(r.written, ['SLOW.md']);
    assert.equal(readFileSync(join(dir, 'SLOW.md'), 'utf8'), '# acme\n');
    // The replaced engines are closed once the install is done: the current one still works.
    assert.deepEqual((await api.client()).status().map((s) => s.id), ['slow']);
  });

  it('a warm-up in flight survives a reopen and caches its template', async () => {
    const { api } = await activate();
    await runCommand('clearCache', { confirmed: true });
    const asked = server.count(PACKAGE);
    server.inject(PACKAGE, { status: 503, retryAfter: '2' });
    const warming = runCommand<{ total: number; done: number; failed: number; cancelled: boolean }>('warmUp', { count: 1 });
    await waitUntil(() => server.count(PACKAGE) > asked, 'the warm-up has asked for the package');
    await withSettings(api, () => setUserSetting('templateMarketplace', 'network.timeoutSeconds', 32));
    assert.ok(server.count(PACKAGE) < asked + 2, 'the reopen happened while the warm-up was still waiting for its package');
    // Before the warm-up held a lease, the reopen closed its engine: the package failed with E_ABORTED.
    assert.deepEqual(await warming, { total: 1, done: 1, failed: 0, cancelled: false });
  });
});
