import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import { test, type TestContext } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { FormatError, NotFoundError } from '../../../src/core/errors';
import { HttpClient } from '../../../src/core/net/httpClient';
import { LOOPBACK_TLS } from '../../helpers/loopbackTls';

const MAX = 1024 * 1024;

/** Starts `server` on 127.0.0.1, closes it at test end, and records what each request was sent over. */
async function serve(t: TestContext, server: Server): Promise<{ url: string; seen: { version: string; alpn: string | false }[] }> {
  const seen: { version: string; alpn: string | false }[] = [];
  server.on('request', (req: { httpVersion: string; socket: TLSSocket; stream?: { session?: { socket: TLSSocket } } }) => {
    const socket = req.stream?.session?.socket ?? req.socket;
    seen.push({ version: req.httpVersion, alpn: socket.alpnProtocol ?? false });
  });
  // An h2 server's close() waits for its sessions to end: the test ends them, whatever the client does.
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    return closed;
  });
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function client(t: TestContext, http2: boolean): HttpClient {
  const c = new HttpClient({ http2, ca: [LOOPBACK_TLS.cert], retries: 0 });
  t.after(() => c.close());
  return c;
}

function h2Server(): Server {
  return createSecureServer({ ...LOOPBACK_TLS, allowHTTP1: true }, (req, res) => {
    res.writeHead(200, { etag: '"v1"', 'content-type': 'text/plain' });
    res.end(`over ${req.httpVersion} ${req.url}`);
  }) as unknown as Server;
}

test('http2: true negotiates h2 with ALPN against an h2 server (allowHTTP1), for concurrent GETs too', async (t) => {
  const { url, seen } = await serve(t, h2Server());
  const c = client(t, true);
  const results = await Promise.all(['/a', '/b', '/c'].map((p) => c.get(url + p, { maxBytes: MAX })));
  assert.deepEqual(
    results.map((r) => (r.status === 200 ? Buffer.from(r.bytes).toString() : r.status)),
    ['over 2.0 /a', 'over 2.0 /b', 'over 2.0 /c'],
  );
  assert.equal(results[0]!.etag, '"v1"', 'response headers come through h2 as over HTTP/1.1');
  assert.ok(seen.every((s) => s.version === '2.0' && s.alpn === 'h2'), JSON.stringify(seen));
});

test('http2: false stays on HTTP/1.1 against the same server', async (t) => {
  const { url, seen } = await serve(t, h2Server());
  const r = await client(t, false).get(`${url}/a`, { maxBytes: MAX });
  assert.ok(r.status === 200);
  assert.equal(Buffer.from(r.bytes).toString(), 'over 1.1 /a');
  assert.deepEqual(seen, [{ version: '1.1', alpn: 'http/1.1' }]);
});

test('http2: true falls back to HTTP/1.1 against a TLS server that only speaks HTTP/1.1', async (t) => {
  const server = createHttpsServer(LOOPBACK_TLS, (req, res) => res.end(`h1 only ${req.url}`));
  const { url, seen } = await serve(t, server as unknown as Server);
  const c = client(t, true);
  for (const path of ['/x', '/y']) {
    const r = await c.get(url + path, { maxBytes: MAX });
    assert.ok(r.status === 200);
    assert.equal(Buffer.from(r.bytes).toString(), `h1 only ${path}`);
  }
  assert.deepEqual(
    seen.map((s) => s.version),
    ['1.1', '1.1'],
  );
});

test('over h2, a 404 is a NotFoundError and a 304 keeps the validators, as over HTTP/1.1', async (t) => {
  const server = createSecureServer({ ...LOOPBACK_TLS, allowHTTP1: true }, (req, res) => {
    if (req.url === '/missing') res.writeHead(404).end('no');
    else res.writeHead(304).end();
  }) as unknown as Server;
  const { url } = await serve(t, server);
  const c = client(t, true);
  await assert.rejects(c.get(`${url}/missing`, { maxBytes: MAX }), (err: unknown) => err instanceof NotFoundError && /HTTP 404/.test(err.message));
  const r = await c.get(`${url}/same`, { maxBytes: MAX, etag: '"v1"' });
  assert.deepEqual(r, { status: 304, etag: '"v1"', lastModified: undefined, attempts: 1 });
});

test('rejects a non-boolean http2 and a ca that is not a list of PEM certificates', () => {
  assert.throws(() => new HttpClient({ http2: 'yes' as unknown as boolean }), (err: unknown) => err instanceof FormatError && err.field === 'http2');
  assert.throws(() => new HttpClient({ ca: ['not a certificate'] }), (err: unknown) => err instanceof FormatError && err.field === 'ca');
});

test('without the ca option the self-signed loopback certificate is refused', async (t) => {
  const { url } = await serve(t, h2Server());
  const c = new HttpClient({ http2: true, retries: 0 });
  t.after(() => c.close());
  await assert.rejects(c.get(`${url}/a`, { maxBytes: MAX }), (err: Error & { code?: string }) => err.code === 'E_NETWORK' && /certificate/i.test(err.message));
});
