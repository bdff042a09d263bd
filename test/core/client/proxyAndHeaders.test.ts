import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, test, type TestContext } from 'node:test';
import { inspect } from 'node:util';
import { MarketplaceClient, type MarketplaceClientOptions, type SourceConfig } from '../../../src/core';
import { basicProxyAuthorization, ConnectProxy, type ConnectProxyOptions } from '../../helpers/connectProxy';
import { LoopbackServer } from '../../helpers/loopbackServer';
import { LOOPBACK_TLS } from '../../helpers/loopbackTls';
import { FixtureServer, MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';
import { rejection } from '../../helpers/rejection';

const TEMPLATES = [
  { id: 'readme', downloads: 900 },
  { id: 'changelog', downloads: 500 },
  { id: 'adr', downloads: 300 },
];
const REFS = TEMPLATES.map((t) => `fixture/${t.id}`);
/** For comparing what servers saw: the packages of a batch arrive in any order. */
const sorted = <T>(items: T[]): T[] => items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
/** Every file a full load requests, sorted. */
const PATHS = sorted(['catalog.json', ...TEMPLATES.map((t) => `packages/${t.id}-1.0.0.zip`)]);
const FAST_HTTP = { retries: 1, baseDelayMs: 1, maxDelayMs: 2, random: () => 0.5 } as const;
const TOKEN = 'Bearer tok-77c1-private';

/** Everything an error would show a user or a log, cause chain included. */
const everything = (err: unknown): string => `${String(err)}\n${inspect(err, { depth: 10 })}`;

async function marketplace(t: TestContext, opts: { tls?: boolean } = {}, fixture = new MarketplaceFixture(TEMPLATES)) {
  const server = await FixtureServer.start(fixture, opts.tls ? { tls: LOOPBACK_TLS } : {});
  t.after(() => server.close());
  return { fixture, server, source: { id: 'fixture', url: server.url, publicKey: fixture.publicKey } satisfies SourceConfig };
}

async function proxy(t: TestContext, opts: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const started = await ConnectProxy.start(opts);
  t.after(() => started.close());
  return started;
}

async function open(t: TestContext, opts: Omit<MarketplaceClientOptions, 'cacheDir'>): Promise<MarketplaceClient> {
  const client = await MarketplaceClient.open({ cacheDir: await tempDir(t), ...opts, http: { ...FAST_HTTP, ...opts.http } });
  // Registered after the servers and the proxy, so it runs after them (hooks run in order): they
  // destroy their sockets first, leaving close() nothing in flight to wait for.
  t.after(() => client.close());
  return client;
}

/** Loads the catalog and downloads every package; fails the test on any failed item. */
async function loadEverything(client: MarketplaceClient): Promise<void> {
  assert.equal((await client.list()).length, TEMPLATES.length);
  const batch = await client.downloadBatch(REFS);
  assert.deepEqual(batch.items.map((i) => (i.ok ? i.from : i.error.message)), REFS.map(() => 'network'));
}

describe('MarketplaceClient through a proxy', { timeout: 30_000 }, () => {
  test('loads the catalog and the packages of an http: marketplace through the proxy', async (t) => {
    const { server, source } = await marketplace(t);
    const via = await proxy(t);
    const client = await open(t, { sources: [source], http: { proxy: { url: via.url } } });
    await loadEverything(client);
    const seen = via.log.map((r) => [r.method, r.url, r.status]);
    assert.deepEqual(sorted(seen), sorted(PATHS.map((p) => ['GET', `${server.url}${p}`, 200])));
    assert.deepEqual(sorted(server.requests.map((r) => r.path)), PATHS, 'everything the server served came through the proxy');
  });

  test('a marketplace listed in noProxy is reached directly', async (t) => {
    const { server, source } = await marketplace(t);
    const via = await proxy(t);
    const host = new URL(server.url).host;
    const client = await open(t, { sources: [source], http: { proxy: { url: via.url, noProxy: [`internal.example, ${host}`] } } });
    await loadEverything(client);
    assert.deepEqual(via.log, []);
    assert.deepEqual(sorted(server.requests.map((r) => r.path)), PATHS);
  });

  test('sends the proxy credentials on every request, and to the proxy only', async (t) => {
    const { server, source } = await marketplace(t);
    const auth = basicProxyAuthorization('svc-user', 'p@ss word');
    const via = await proxy(t, { requireAuthorization: auth });
    const client = await open(t, { sources: [source], http: { proxy: { url: via.urlWithCredentials('svc-user', 'p@ss word') } } });
    await loadEverything(client);
    assert.deepEqual(new Set(via.log.map((r) => r.proxyAuthorization)), new Set([auth]));
    assert.deepEqual(new Set(via.log.map((r) => r.status)), new Set([200]));
    assert.ok(server.requests.every((r) => r.headers['proxy-authorization'] === undefined));
  });

  test('an unreachable proxy is an E_NETWORK error naming it, without its credentials', async (t) => {
    const { server, source } = await marketplace(t);
    const gone = await LoopbackServer.start();
    const proxyPort = gone.port;
    await gone.close();
    const client = await open(t, { sources: [source], http: { proxy: { url: `http://svc-user:hunter2@127.0.0.1:${proxyPort}` } } });
    const err = await rejection(client.list());
    assert.ok(err instanceof Error && (err as { code?: string }).code === 'E_NETWORK', String(err));
    assert.match(err.message, new RegExp(`the proxy http://127\\.0\\.0\\.1:${proxyPort} refused the connection`));
    assert.doesNotMatch(everything(err), /hunter2|svc-user/);
    assert.equal(client.status()[0]?.state, 'offline');
    assert.doesNotMatch(everything(client.status()), /hunter2/);
    assert.equal(server.requests.length, 0);
  });

  test('loads an https: marketplace through a CONNECT tunnel (strictSSL: false for its self-signed certificate)', async (t) => {
    const { server, source } = await marketplace(t, { tls: true });
    const via = await proxy(t);
    const client = await open(t, { sources: [{ ...source, headers: { Authorization: TOKEN } }], http: { proxy: { url: via.url, strictSSL: false } } });
    await loadEverything(client);
    const port = new URL(server.url).port;
    assert.ok(via.log.length >= 1);
    assert.ok(via.log.every((r) => r.method === 'CONNECT' && r.target === `127.0.0.1:${port}` && r.status === 200));
    assert.ok(via.log.length <= server.requests.length, 'tunnels are kept alive and reused');
    assert.deepEqual(sorted(server.requests.map((r) => r.path)), PATHS);
    assert.ok(server.requests.every((r) => r.headers.authorization === TOKEN), 'the token travels inside the tunnel');
  });

  test('with strictSSL left on, a self-signed https: marketplace is refused through the proxy', async (t) => {
    const { source } = await marketplace(t, { tls: true });
    const via = await proxy(t);
    const client = await open(t, { sources: [source], http: { proxy: { url: via.url } } });
    const err = await rejection(client.list());
    assert.ok(err instanceof Error && (err as { code?: string }).code === 'E_NETWORK', String(err));
    assert.match(err.message, /self[- ]signed certificate.*through the proxy/);
  });
});

describe('MarketplaceClient: per-source headers', { timeout: 30_000 }, () => {
  test('a source\'s headers reach its marketplace with every request, through a proxy too', async (t) => {
    const { server, source } = await marketplace(t);
    const client = await open(t, { sources: [{ ...source, headers: { Authorization: TOKEN, 'X-Tenant': 'acme' } }] });
    await loadEverything(client);
    assert.deepEqual(sorted(server.requests.map((r) => [r.path, r.headers.authorization, r.headers['x-tenant']])), sorted(PATHS.map((p) => [p, TOKEN, 'acme'])));

    const second = await marketplace(t);
    const via = await proxy(t);
    const proxied = await open(t, { sources: [{ ...second.source, headers: { Authorization: TOKEN } }], http: { proxy: { url: via.url } } });
    await loadEverything(proxied);
    assert.equal(via.log.length, PATHS.length);
    assert.ok(second.server.requests.every((r) => r.headers.authorization === TOKEN));
  });

  test('each marketplace gets its own token only, even on the same host', async (t) => {
    const a = await marketplace(t);
    const b = await marketplace(t);
    const client = await open(t, {
      sources: [
        { ...a.source, id: 'a', headers: { Authorization: 'Bearer token-a' } },
        { ...b.source, id: 'b', headers: { Authorization: 'Bearer token-b' } },
      ],
    });
    assert.equal((await client.list()).length, 2 * TEMPLATES.length);
    await client.downloadBatch(['a/readme', 'b/readme']);
    assert.deepEqual(new Set(a.server.requests.map((r) => r.headers.authorization)), new Set(['Bearer token-a']));
    assert.deepEqual(new Set(b.server.requests.map((r) => r.headers.authorization)), new Set(['Bearer token-b']));
  });

  test('a catalog pointing a package at another origin is refused; that origin hears nothing', async (t) => {
    const other = await marketplace(t);
    const fixture = new MarketplaceFixture(TEMPLATES);
    fixture.catalog.templates[0]!.path = `${other.server.url}packages/readme-1.0.0.zip`;
    fixture.signCatalog();
    const { server, source } = await marketplace(t, {}, fixture);
    const client = await open(t, { sources: [{ ...source, headers: { Authorization: TOKEN } }] });
    const err = await rejection(client.list());
    assert.ok(err instanceof Error && (err as { code?: string }).code === 'E_FORMAT', String(err));
    assert.match(err.message, /must be relative to the marketplace root/);
    assert.equal(server.requests[0]?.headers.authorization, TOKEN);
    assert.deepEqual(other.server.requests, []);
  });

  test('a redirect to another origin is not followed: the token stays with the source', async (t) => {
    const target = await marketplace(t);
    const redirector = await LoopbackServer.start((req, res) => {
      res.writeHead(302, { location: `${target.server.url}${(req.url ?? '/').slice(1)}`, 'content-length': '0' }).end();
    });
    t.after(() => redirector.close());
    const client = await open(t, { sources: [{ ...target.source, url: redirector.url('/'), headers: { Authorization: TOKEN } }] });
    const err = await rejection(client.list());
    assert.ok(err instanceof Error && (err as { code?: string }).code === 'E_HTTP', String(err));
    assert.match(err.message, /HTTP 302 Found — the marketplace moved to http:\/\/127\.0\.0\.1:\d+\/catalog\.json; redirects are not followed/);
    assert.doesNotMatch(everything(err), /tok-77c1/);
    assert.equal(redirector.log[0]?.headers.authorization, TOKEN);
    assert.deepEqual(target.server.requests, []);
  });

  test('bad headers and a bad proxy are refused before anything is opened, without echoing secrets', async (t) => {
    const cacheDir = await tempDir(t);
    const source: SourceConfig = { id: 'fixture', url: 'https://market.example/', publicKey: 'AAAA' };
    const cases: [Partial<MarketplaceClientOptions>, RegExp][] = [
      [{ sources: [{ ...source, headers: { Authorization: `${TOKEN}\r\nX-Injected: 1` } }] }, /sources\[0\]\.headers: the value of "Authorization" contains a line break/],
      [{ sources: [{ ...source, headers: { Host: 'evil.example' } }] }, /sources\[0\]\.headers: "Host" is set by the engine/],
      [{ sources: [source], http: { proxy: { url: 'socks5://svc-user:tok-77c1@127.0.0.1:1080' } } }, /http\.proxy: url: must be an http: or https: URL/],
      [{ sources: [source], http: { proxy: { url: 'http://127.0.0.1:3128', noProxy: ['example.com:http'] } } }, /http\.proxy\.noProxy: "example\.com:http" is not a usable entry/],
    ];
    for (const [opts, message] of cases) {
      const err = await rejection(MarketplaceClient.open({ sources: [source], cacheDir, ...opts }));
      assert.ok(err instanceof Error && (err as { code?: string }).code === 'E_FORMAT', String(err));
      assert.match(err.message, message);
      assert.doesNotMatch(everything(err), /tok-77c1/);
    }
    assert.deepEqual(await readdir(cacheDir), [], 'no cache or trust file was created');
  });
});
