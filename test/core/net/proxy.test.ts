import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { FormatError, HttpError, NetworkError } from '../../../src/core/errors';
import { HttpClient, type HttpClientOptions } from '../../../src/core/net/httpClient';
import { parseProxy } from '../../../src/core/net/proxy';
import { basicProxyAuthorization, ConnectProxy, type ConnectProxyOptions } from '../../helpers/connectProxy';
import { LoopbackServer } from '../../helpers/loopbackServer';
import { LOOPBACK_TLS } from '../../helpers/loopbackTls';
import { rejection, text } from '../../helpers/rejection';

const FAST_RETRIES: HttpClientOptions = { retries: 1, baseDelayMs: 1, maxDelayMs: 2, random: () => 0.5 };
const MAX = 1024 * 1024;

/** A marketplace-like server, a proxy in front of it, and a client using the proxy. Everything closes at test end. */
async function setup(t: TestContext, proxyOptions: ConnectProxyOptions = {}, http: (proxy: ConnectProxy) => HttpClientOptions = (p) => ({ proxy: { url: p.url } })) {
  const server = await LoopbackServer.start((req, res) => res.end(`served ${req.url}`));
  const proxy = await ConnectProxy.start(proxyOptions);
  const client = new HttpClient({ ...FAST_RETRIES, ...http(proxy) });
  t.after(async () => {
    await server.close();
    await proxy.close();
    await client.close();
  });
  return { server, proxy, client };
}

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const probe = await LoopbackServer.start();
  const { port } = probe;
  await probe.close();
  return port;
}

/** Everything an error would show a user or a log, cause chain included. */
const everything = (err: unknown): string => `${String(err)}\n${inspect(err, { depth: 10 })}\n${JSON.stringify(err)}`;

describe('parseProxy', () => {
  test('takes the credentials out of the URL into a Basic Proxy-Authorization', () => {
    const parsed = parseProxy({ url: 'http://us%40er:p%3Ass@proxy.example:3128/', noProxy: ['a.org'] });
    assert.equal(parsed.origin, 'http://proxy.example:3128');
    assert.equal(parsed.authorization, basicProxyAuthorization('us@er', 'p:ss'));
    assert.equal(parsed.strictSSL, true);
    assert.equal(parsed.noProxy.length, 1);
    assert.equal(parseProxy({ url: 'https://proxy.example' }).authorization, undefined);
    assert.equal(parseProxy({ url: 'http://user@proxy.example:3128' }).authorization, basicProxyAuthorization('user', ''));
  });

  test('sends a given Proxy-Authorization value instead of the URL\'s credentials, and refuses one that is not a header line', () => {
    assert.equal(parseProxy({ url: 'http://u:p@proxy.example:3128', authorization: ' Negotiate abc== ' }).authorization, 'Negotiate abc==');
    for (const authorization of ['', '   ', 'Basic a\r\nX-Injected: 1', 'Bearer \u0000', 'x'.repeat(8193), 42 as unknown as string]) {
      assert.throws(() => parseProxy({ url: 'http://proxy.example:3128', authorization }, 'http.proxy'), (err: unknown) => {
        assert.ok(err instanceof FormatError);
        assert.match(err.message, /^http\.proxy: authorization: must be a header value/);
        assert.doesNotMatch(everything(err), /X-Injected|xxxxxxxx/);
        return true;
      }, JSON.stringify(authorization).slice(0, 20));
    }
  });

  test('refuses a bad proxy without ever quoting its credentials', () => {
    const bad: [string, RegExp][] = [
      ['socks5://proxyuser7:hunter2@proxy:1080', /must be an http: or https: URL \(SOCKS and other proxies are not supported\)/],
      ['proxyuser7:hunter2@proxy:3128', /must be an http: or https: URL/],
      ['http://proxyuser7:hunter2@proxy:notaport', /is not a valid URL/],
      ['http://proxyuser7:hun/ter2@proxy:3128', /is not a valid URL/],
      ['http://proxyuser7:hunter2%zz@proxy:3128', /malformed percent-escape/],
    ];
    for (const [url, message] of bad) {
      assert.throws(() => parseProxy({ url }, 'http.proxy'), (err: unknown) => {
        assert.ok(err instanceof FormatError, url);
        assert.match(err.message, /^http\.proxy: url: /);
        assert.match(err.message, message);
        assert.doesNotMatch(everything(err), /hunter2|hun\/ter2|proxyuser7/);
        return true;
      }, url);
    }
    assert.throws(() => parseProxy({ url: '' }), /omit `proxy`/);
    assert.throws(() => parseProxy({ url: 'http://p:1', strictSSL: 'no' as unknown as boolean }), FormatError);
    assert.throws(() => new HttpClient({ proxy: { url: 'ftp://p:21' } }), /HttpClientOptions\.proxy: url: /);
  });
});

describe('HttpClient through a proxy', { timeout: 20_000 }, () => {
  test('sends an http: target to the proxy in absolute form', async (t) => {
    const { server, proxy, client } = await setup(t);
    for (const path of ['/catalog.json', '/packages/a.zip']) {
      const result = await client.get(server.url(path), { maxBytes: MAX });
      assert.ok(result.status === 200);
      assert.equal(text(result.bytes), `served ${path}`);
    }
    assert.deepEqual(
      proxy.log.map((r) => [r.method, r.target, r.url, r.status]),
      [
        ['GET', `127.0.0.1:${server.port}`, server.url('/catalog.json'), 200],
        ['GET', `127.0.0.1:${server.port}`, server.url('/packages/a.zip'), 200],
      ],
    );
    assert.equal(server.log[0]?.headers.host, `127.0.0.1:${server.port}`);
    assert.equal(server.log[0]?.headers['proxy-authorization'], undefined, 'the proxy keeps its credentials to itself');
    assert.deepEqual(proxy.errors, []);
  });

  test('sends the credentials of the proxy URL as Proxy-Authorization, to the proxy only', async (t) => {
    const auth = basicProxyAuthorization('alice', 's3cret:pw');
    const { server, proxy, client } = await setup(t, { requireAuthorization: auth }, (p) => ({ proxy: { url: p.urlWithCredentials('alice', 's3cret:pw') } }));
    const result = await client.get(server.url('/x'), { maxBytes: MAX });
    assert.equal(result.status, 200);
    assert.equal(proxy.log[0]?.proxyAuthorization, auth);
    assert.equal(server.log[0]?.headers['proxy-authorization'], undefined);
  });

  test('sends a given Proxy-Authorization value to the proxy only', async (t) => {
    const auth = 'Bearer proxy-token-1';
    const { server, proxy, client } = await setup(t, { requireAuthorization: auth }, (p) => ({ proxy: { url: p.url, authorization: auth } }));
    assert.equal((await client.get(server.url('/x'), { maxBytes: MAX })).status, 200);
    assert.equal(proxy.log[0]?.proxyAuthorization, auth);
    assert.equal(server.log[0]?.headers['proxy-authorization'], undefined);
  });

  test('a 407 from the proxy is an E_HTTP error that names the proxy, not the credentials', async (t) => {
    const { server, proxy, client } = await setup(t, { requireAuthorization: basicProxyAuthorization('alice', 'right') }, (p) => ({
      proxy: { url: p.urlWithCredentials('alice', 'wrong-pw') },
    }));
    const err = await rejection(client.get(server.url('/x'), { maxBytes: MAX }));
    assert.ok(err instanceof HttpError, String(err));
    assert.equal(err.status, 407);
    assert.match(err.message, new RegExp(`the proxy ${proxy.url.replace(/\./g, '\\.')} requires authentication`));
    assert.doesNotMatch(everything(err), /wrong-pw|alice/);
    assert.equal(proxy.log.length, 1, 'not retried');
    assert.equal(server.requests, 0);
  });

  test('an unreachable proxy is an E_NETWORK error naming the proxy without its credentials', async (t) => {
    const server = await LoopbackServer.start((_req, res) => res.end('never'));
    t.after(() => server.close());
    const port = await freePort();
    const client = new HttpClient({ ...FAST_RETRIES, proxy: { url: `http://bob:hunter2@127.0.0.1:${port}` } });
    t.after(() => client.close());
    const err = await rejection(client.get(server.url('/catalog.json'), { maxBytes: MAX }));
    assert.ok(err instanceof NetworkError, String(err));
    assert.match(err.message, new RegExp(`the proxy http://127\\.0\\.0\\.1:${port} refused the connection \\(ECONNREFUSED\\)`));
    assert.match(err.message, /after 2 attempts/, 'a refused connection is worth a retry');
    assert.doesNotMatch(everything(err), /hunter2|bob/);
    assert.equal(server.requests, 0);
  });

  test('hosts in noProxy go direct; the others still use the proxy', async (t) => {
    const other = await LoopbackServer.start((_req, res) => res.end('other'));
    t.after(() => other.close());
    const { server, proxy, client } = await setup(t, {}, (p) => ({ proxy: { url: p.url, noProxy: [`127.0.0.1:${other.port}`] } }));
    assert.equal((await client.get(other.url('/direct'), { maxBytes: MAX })).status, 200);
    assert.equal((await client.get(server.url('/proxied'), { maxBytes: MAX })).status, 200);
    assert.deepEqual(proxy.targets, [`127.0.0.1:${server.port}`]);
    assert.equal(other.log[0]?.url, '/direct', 'origin-form: it came straight from the client');
  });

  test('a target the proxy cannot reach fails with the proxy named in the message', async (t) => {
    const { proxy, client } = await setup(t);
    const port = await freePort();
    const err = await rejection(client.get(`http://127.0.0.1:${port}/x`, { maxBytes: MAX }));
    assert.ok(err instanceof HttpError, String(err));
    assert.equal(err.status, 502);
    assert.match(err.message, new RegExp(`through the proxy ${proxy.url.replace(/\./g, '\\.')}`));
  });

  test('tunnels an https: target with CONNECT; strictSSL: false accepts its self-signed certificate', async (t) => {
    const tls = createTlsServer(LOOPBACK_TLS, (req, res) => res.end(`secure ${req.url}`));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      const closed = new Promise<void>((resolve) => tls.close(() => resolve()));
      tls.closeAllConnections();
      return closed;
    });
    const { port } = tls.address() as AddressInfo;
    const target = `https://127.0.0.1:${port}/catalog.json`;

    const { proxy, client } = await setup(t, {}, (p) => ({ proxy: { url: p.url, strictSSL: false } }));
    const result = await client.get(target, { maxBytes: MAX });
    assert.ok(result.status === 200);
    assert.equal(text(result.bytes), 'secure /catalog.json');
    assert.deepEqual(proxy.log.map((r) => [r.method, r.target, r.status]), [['CONNECT', `127.0.0.1:${port}`, 200]]);

    // By default the certificate is verified, through the tunnel too.
    const strict = new HttpClient({ ...FAST_RETRIES, proxy: { url: proxy.url } });
    t.after(() => strict.close());
    const err = await rejection(strict.get(target, { maxBytes: MAX }));
    assert.ok(err instanceof NetworkError, String(err));
    assert.match(err.message, /self[- ]signed/i);
    assert.match(err.message, /through the proxy/);

    // A CONNECT refused for want of credentials is the same E_HTTP 407 as an absolute-form one.
    const locked = await ConnectProxy.start({ requireAuthorization: basicProxyAuthorization('alice', 'right') });
    t.after(() => locked.close());
    const wrong = new HttpClient({ ...FAST_RETRIES, proxy: { url: locked.urlWithCredentials('alice', 'wrong-pw'), strictSSL: false } });
    t.after(() => wrong.close());
    const refused = await rejection(wrong.get(target, { maxBytes: MAX }));
    assert.ok(refused instanceof HttpError, String(refused));
    assert.equal(refused.status, 407);
    assert.match(refused.message, /requires authentication/);
    assert.doesNotMatch(everything(refused), /wrong-pw|alice/);
    assert.deepEqual(locked.log.map((r) => [r.method, r.status]), [['CONNECT', 407]]);
  });
});

describe('ConnectProxy (test helper)', () => {
  test('refuses any target outside the loopback without connecting to it', async (t) => {
    const proxy = await ConnectProxy.start();
    t.after(() => proxy.close());
    const statusOf = (opts: { method: string; path: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: proxy.port, ...opts, agent: false });
        req.on('connect', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await statusOf({ method: 'CONNECT', path: 'example.invalid:443' }), 403);
    assert.equal(await statusOf({ method: 'GET', path: 'http://example.invalid/x' }), 403);
    assert.equal(await statusOf({ method: 'GET', path: '/not-a-proxy-request' }), 403);
    assert.deepEqual(proxy.log.map((r) => r.status), [403, 403, 403]);
  });
});
