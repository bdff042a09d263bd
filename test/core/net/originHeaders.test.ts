import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { inspect } from 'node:util';
import { FormatError, HttpError } from '../../../src/core/errors';
import { HttpClient } from '../../../src/core/net/httpClient';
import { HttpFetcher } from '../../../src/core/net/httpFetcher';
import { checkRequestHeaders, OriginHeaders } from '../../../src/core/net/originHeaders';
import { LoopbackServer, type LoopbackHandler } from '../../helpers/loopbackServer';
import { rejection } from '../../helpers/rejection';

const MAX = 1024 * 1024;
const TOKEN = 'Bearer tok-3f9a-secret';

async function servers(t: TestContext, a: LoopbackHandler, b: LoopbackHandler = (_req, res) => res.end('b')) {
  const serverA = await LoopbackServer.start(a);
  const serverB = await LoopbackServer.start(b);
  const client = new HttpClient({ retries: 0 });
  t.after(async () => {
    await serverA.close();
    await serverB.close();
    await client.close();
  });
  return { serverA, serverB, client };
}

describe('checkRequestHeaders', () => {
  test('accepts ordinary headers, including Authorization, User-Agent and Accept', () => {
    checkRequestHeaders({ Authorization: TOKEN, 'X-Api-Key': 'k', 'User-Agent': 'ua', Accept: 'application/octet-stream', 'X-Tab': 'a\tb' }, 'w', 'f');
    checkRequestHeaders(undefined, 'w', 'f');
  });

  test('refuses injection, bad names, engine-owned names and duplicates, never echoing a value', () => {
    const cases: [unknown, RegExp][] = [
      [{ Authorization: `${TOKEN}\r\nX-Evil: 1` }, /value of "Authorization" contains a line break/],
      [{ Authorization: `${TOKEN}\n` }, /line break/],
      [{ Authorization: `${TOKEN}\0` }, /control character/],
      [{ 'Bad Name': TOKEN }, /"Bad Name" is not a valid header name/],
      [{ 'X-Evil\r\n': TOKEN }, /not a valid header name/],
      [{ '': TOKEN }, /not a valid header name/],
      [{ Host: 'other.example' }, /"Host" is set by the engine/],
      [{ 'Proxy-Authorization': TOKEN }, /set by the engine/],
      [{ 'accept-encoding': 'gzip' }, /set by the engine/],
      [{ 'If-None-Match': '"x"' }, /set by the engine/],
      [{ Authorization: TOKEN, authorization: TOKEN }, /given twice/],
      [{ Authorization: 42 }, /must be a string/],
      [[TOKEN], /must be an object/],
      ['Authorization: x', /must be an object/],
    ];
    for (const [headers, message] of cases) {
      assert.throws(() => checkRequestHeaders(headers, 'options', 'sources[0].headers'), (err: unknown) => {
        assert.ok(err instanceof FormatError);
        assert.match(err.message, /^options: sources\[0\]\.headers: /);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /tok-3f9a/);
        return true;
      });
    }
  });
});

describe('OriginHeaders', () => {
  test('hands its headers out for URLs of its origin only: scheme, host and port', () => {
    const scoped = new OriginHeaders('https://market.example/templates/', { Authorization: TOKEN });
    assert.deepEqual(scoped.for(new URL('https://market.example/templates/catalog.json')), { authorization: TOKEN });
    assert.deepEqual(scoped.for(new URL('https://MARKET.example:443/other/path')), { authorization: TOKEN });
    for (const other of ['http://market.example/', 'https://market.example:8443/', 'https://cdn.market.example/', 'https://market.example.evil.org/']) {
      assert.deepEqual(scoped.for(new URL(other)), {}, other);
    }
  });

  test('shows header names, never values, when inspected or serialized', () => {
    const scoped = new OriginHeaders('https://market.example/', { Authorization: TOKEN });
    assert.equal(inspect(scoped), 'OriginHeaders(https://market.example: authorization)');
    assert.equal(JSON.stringify({ scoped }), '{"scoped":{"origin":"https://market.example","headers":["authorization"]}}');
    const client = new HttpClient();
    assert.doesNotMatch(inspect(new HttpFetcher('https://market.example/', client, { Authorization: TOKEN }), { depth: 5 }), /tok-3f9a/);
    return client.close();
  });

  test('refuses an opaque origin, under which every file: URL would match', () => {
    assert.throws(() => new OriginHeaders('file:///srv/market/', { Authorization: TOKEN }), FormatError);
  });
});

describe('HttpClient and HttpFetcher with origin headers', { timeout: 20_000 }, () => {
  test('a fetcher sends its headers to its own origin', async (t) => {
    const { serverA, client } = await servers(t, (_req, res) => res.end('a'));
    const fetcher = new HttpFetcher(serverA.url('/market/'), client, { Authorization: TOKEN, 'X-Tenant': 'acme' });
    assert.equal((await fetcher.get('catalog.json', { maxBytes: MAX })).status, 200);
    assert.equal(serverA.log[0]?.url, '/market/catalog.json');
    assert.equal(serverA.log[0]?.headers.authorization, TOKEN);
    assert.equal(serverA.log[0]?.headers['x-tenant'], 'acme');
    assert.equal(serverA.log[0]?.headers['accept-encoding'], 'identity', 'the engine keeps its own headers');
  });

  test('headers scoped to one origin are not sent to a URL of another (a different port is another origin)', async (t) => {
    const { serverA, serverB, client } = await servers(t, (_req, res) => res.end('a'));
    const scoped = new OriginHeaders(serverA.origin, { Authorization: TOKEN });
    assert.equal((await client.get(serverB.url('/packages/x.zip'), { maxBytes: MAX }, scoped)).status, 200);
    assert.equal((await client.get(serverA.url('/catalog.json'), { maxBytes: MAX }, scoped)).status, 200);
    assert.equal(serverB.log[0]?.headers.authorization, undefined);
    assert.equal(serverA.log[0]?.headers.authorization, TOKEN);
  });

  test('a redirect to another origin is not followed, so the token never travels there', async (t) => {
    const { serverA, serverB, client } = await servers(t, (_req, res) => {
      res.writeHead(302, { location: serverB.url('/stolen/catalog.json'), 'content-length': '0' }).end();
    });
    const fetcher = new HttpFetcher(serverA.url('/'), client, { Authorization: TOKEN });
    const err = await rejection(fetcher.get('catalog.json', { maxBytes: MAX }));
    assert.ok(err instanceof HttpError, String(err));
    assert.equal(err.status, 302);
    assert.match(err.message, /redirects are not followed/);
    assert.doesNotMatch(inspect(err, { depth: 10 }), /tok-3f9a/);
    assert.equal(serverA.log[0]?.headers.authorization, TOKEN);
    assert.equal(serverB.requests, 0);
  });

  test('a 401 names the URL, never the header that was refused', async (t) => {
    const { serverA, client } = await servers(t, (_req, res) => res.writeHead(401, { 'content-length': '0' }).end());
    const fetcher = new HttpFetcher(serverA.url('/'), client, { Authorization: TOKEN });
    const err = await rejection(fetcher.get('catalog.json', { maxBytes: MAX }));
    assert.ok(err instanceof HttpError);
    assert.equal(err.message, `GET ${serverA.url('/catalog.json')} failed: HTTP 401 Unauthorized — the server refused access; check the source URL and whether it needs credentials`);
    assert.doesNotMatch(inspect(err, { depth: 10 }), /tok-3f9a/);
  });
});
