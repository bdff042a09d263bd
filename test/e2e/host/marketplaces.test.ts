import * as assert from 'node:assert/strict';
import { basicProxyAuthorization, ConnectProxy } from '../../helpers/connectProxy';
import { FixtureServer, MarketplaceFixture } from '../../helpers/marketplaceFixture';
import { activate, runCommand, setUserSetting, waitUntil, withSettings } from './support';

/** Loopback marketplaces (real HTTP servers on 127.0.0.1) configured through the user's settings. */
describe('marketplaces from settings, tokens, proxy, verification', () => {
  let alpha: FixtureServer;
  let beta: FixtureServer;
  let alphaFixture: MarketplaceFixture;
  let betaFixture: MarketplaceFixture;
  let proxy: ConnectProxy | undefined;

  before(async () => {
    alphaFixture = new MarketplaceFixture([{ id: 'intro', downloads: 5 }, { id: 'guide', downloads: 3 }]);
    betaFixture = new MarketplaceFixture([{ id: 'notes', downloads: 1 }]);
    alpha = await FixtureServer.start(alphaFixture);
    beta = await FixtureServer.start(betaFixture);
    // A settings change reopens an engine that is open; run alone (--grep), nothing has opened it yet.
    await (await activate()).api.client();
  });

  after(async () => {
    // Back to the defaults, and wait until the engine serves the sample again, for the suites after this one.
    const { api } = await activate();
    await setUserSetting('templateMarketplace', 'marketplaces', undefined);
    await setUserSetting('templateMarketplace', 'includeSampleMarketplace', undefined);
    await setUserSetting('http', 'proxy', undefined);
    await setUserSetting('http', 'proxyAuthorization', undefined);
    await runCommand('setToken', { id: 'alpha', token: '' });
    await waitUntil(async () => {
      const client = await api.client().catch(() => undefined);
      return JSON.stringify(client?.status().map((s) => s.id)) === '["samples"]';
    }, 'the engine serves the sample marketplace again');
    await Promise.all([alpha.close(), beta.close(), proxy?.close()]);
  });

  it('a settings change switches marketplaces, live', async () => {
    const { api } = await activate();
    const client = await withSettings(api, async () => {
      await setUserSetting('templateMarketplace', 'marketplaces', [
        { id: 'alpha', url: alpha.url, publicKey: alphaFixture.publicKey, name: 'Alpha' },
        { id: 'beta', url: beta.url, publicKey: betaFixture.publicKey },
      ]);
      await setUserSetting('templateMarketplace', 'includeSampleMarketplace', false);
    });
    await client.refresh({ force: true });
    assert.deepEqual(client.status().map((s) => [s.id, s.state]), [['alpha', 'fresh'], ['beta', 'fresh']]);
    assert.deepEqual((await client.list()).map((t) => t.ref).sort(), ['alpha/guide', 'alpha/intro', 'beta/notes']);
    const sources = await api.tree.getChildren();
    assert.deepEqual(sources.map((s) => s.id), ['source/alpha', 'source/beta'], 'the tree follows');
  });

  it('sends a marketplace token to that marketplace only', async () => {
    const { api } = await activate();
    const client = await withSettings(api, () => runCommand('setToken', { id: 'alpha', token: 's3cret-token' }));
    const alphaBefore = alpha.requests.length;
    const betaBefore = beta.requests.length;
    await client.refresh({ force: true });
    await client.getPackage('alpha/intro');
    await client.getPackage('beta/notes');
    const alphaSeen = alpha.requests.slice(alphaBefore);
    const betaSeen = beta.requests.slice(betaBefore);
    assert.ok(alphaSeen.length >= 2, 'alpha was asked for its catalog and a package');
    assert.ok(alphaSeen.every((r) => r.headers.authorization === 'Bearer s3cret-token'), JSON.stringify(alphaSeen.map((r) => r.headers.authorization)));
    assert.ok(betaSeen.length >= 1);
    assert.ok(betaSeen.every((r) => r.headers.authorization === undefined), 'beta never sees the token');
  });

  it("verifies every package and reports a tampered one with its reason", async () => {
    // The marketplace now serves other bytes for "guide" than its signed catalog describes.
    const path = alphaFixture.catalog.templates.find((t) => t.id === 'guide')!.path;
    const bytes = alphaFixture.files.get(path)!;
    const tampered = Uint8Array.from(bytes);
    const at = tampered.length - 30;
    tampered[at] = tampered[at]! ^ 0xff;
    alphaFixture.files.set(path, tampered);
    assert.equal(alpha.count(path), 0, 'guide was never downloaded: verification fetches what the server now serves');
    const r = await runCommand<{ outcomes: { ref: string; ok: boolean; code?: string }[] }>('verifyTemplates', { refs: ['alpha/intro', 'alpha/guide', 'beta/notes'] });
    assert.deepEqual(
      r.outcomes.map((o) => [o.ref, o.ok, o.code]),
      [
        ['alpha/intro', true, undefined],
        ['alpha/guide', false, 'E_INTEGRITY'],
        ['beta/notes', true, undefined],
      ],
    );
    alphaFixture.files.set(path, bytes);
  });

  it("sends the engine's traffic through VS Code's http.proxy", async () => {
    const { api } = await activate();
    proxy = await ConnectProxy.start({ requireAuthorization: basicProxyAuthorization('me', 'pw') });
    const client = await withSettings(api, () => setUserSetting('http', 'proxy', proxy!.urlWithCredentials('me', 'pw')));
    await client.refresh({ force: true });
    await client.getPackage('beta/notes');
    const targets = proxy.log.map((r) => r.target);
    assert.ok(targets.includes(new URL(alpha.url).host), `the proxy saw alpha: ${JSON.stringify(proxy.log)}`);
    assert.ok(targets.includes(new URL(beta.url).host), 'and beta');
    assert.ok(proxy.log.every((r) => r.proxyAuthorization === basicProxyAuthorization('me', 'pw')), 'with the credentials from the proxy URL');
    assert.deepEqual(client.status().map((s) => s.state), ['fresh', 'fresh']);

    // VS Code's http.proxyAuthorization instead of credentials in the URL (the proxy answers 407 without it).
    await setUserSetting('http', 'proxy', proxy.url);
    const seen = proxy.log.length;
    const withHeader = await withSettings(api, () => setUserSetting('http', 'proxyAuthorization', basicProxyAuthorization('me', 'pw')));
    await withHeader.refresh({ force: true });
    assert.ok(proxy.log.length > seen, 'the proxy was asked again');
    assert.ok(proxy.log.slice(seen).every((r) => r.proxyAuthorization === basicProxyAuthorization('me', 'pw')), 'with http.proxyAuthorization');
    assert.deepEqual(withHeader.status().map((s) => s.state), ['fresh', 'fresh']);
  });

  it('marks a marketplace that went offline as served from cache, with its age', async () => {
    const { api } = await activate();
    await setUserSetting('http', 'proxyAuthorization', undefined);
    const client = await withSettings(api, () => setUserSetting('http', 'proxy', undefined));
    await client.refresh({ force: true });
    await beta.close();
    await runCommand('refresh'); // what the view's Refresh button does
    assert.deepEqual(client.status().map((s) => [s.id, s.state]), [['alpha', 'fresh'], ['beta', 'offline']]);
    assert.ok((await client.list()).some((t) => t.ref === 'beta/notes'), 'its cached catalog is still browsable');
    const betaRow = (await api.tree.getChildren()).find((n) => n.id === 'source/beta');
    assert.ok(betaRow, 'the tree still shows beta');
    const item = api.tree.getTreeItem(betaRow);
    assert.match(String(item.description), /offline/i);
    assert.match(item.accessibilityInformation?.label ?? '', /offline.*(ago|now)/i);
  });
});

