import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, test, type TestContext } from 'node:test';
import {
  AbortedError,
  FormatError,
  HttpError,
  NetworkError,
  NotFoundError,
  TimeoutError,
  TooLargeError,
} from '../../../src/core/errors';
import { HttpClient, type HttpClientOptions } from '../../../src/core/net/httpClient';
import { LoopbackServer, type LoopbackHandler } from '../../helpers/loopbackServer';
import { rejection, text } from '../../helpers/rejection';

/** Backoff of at most a millisecond or two, so retry tests do not wait on jitter. */
const FAST_RETRIES: HttpClientOptions = { baseDelayMs: 1, maxDelayMs: 2, random: () => 0.5 };
const MAX = 1024 * 1024;

async function setup(t: TestContext, handler: LoopbackHandler, opts: HttpClientOptions = {}) {
  const server = await LoopbackServer.start(handler);
  const client = new HttpClient({ ...FAST_RETRIES, ...opts });
  // Server first: destroying its sockets ends anything in flight, so client.close() cannot wait on it.
  t.after(async () => {
    await server.close();
    await client.close();
  });
  return { server, client };
}

function send(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function socketClosed(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.socket.closed) resolve();
    else req.socket.once('close', () => resolve());
  });
}

/** Resolves when `res` can take more data, or is gone. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}


describe('HttpClient', { timeout: 20_000 }, () => {
  test('returns the body, validators and attempt count of a 200', async (t) => {
    const { server, client } = await setup(t, (_req, res) =>
      send(res, 200, 'hello', { etag: '"v1"', 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT' }),
    );
    const result = await client.get(server.url('/catalog.json'), { maxBytes: MAX });
    assert.equal(result.status, 200);
    assert.ok(result.status === 200);
    assert.equal(text(result.bytes), 'hello');
    assert.equal(result.etag, '"v1"');
    assert.equal(result.lastModified, 'Sun, 06 Nov 1994 08:49:37 GMT');
    assert.equal(result.attempts, 1);
    const seen = server.log[0]!;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/catalog.json');
    assert.equal(seen.headers['accept-encoding'], 'identity');
    assert.equal(seen.headers['user-agent'], 'template-marketplace');
    assert.equal(seen.headers['if-none-match'], undefined);
    assert.deepEqual(client.stats, { requests: 1, retries: 0, notModified: 0, bytes: 5 });
  });

  test('reuses one keep-alive connection for sequential requests', async (t) => {
    const { server, client } = await setup(t, (req, res) => send(res, 200, `body of ${req.url}`));
    for (let i = 0; i < 20; i++) {
      const result = await client.get(server.url(`/f${i}`), { maxBytes: MAX });
      assert.ok(result.status === 200);
      assert.equal(text(result.bytes), `body of /f${i}`);
    }
    assert.equal(server.requests, 20);
    assert.equal(server.connections, 1);
  });

  test('retries a 500 and succeeds, on the same connection because the error body was drained', async (t) => {
    const { server, client } = await setup(t, (_req, res, { index }) =>
      index === 1 ? send(res, 500, 'x'.repeat(10_000)) : send(res, 200, 'ok'),
    );
    const result = await client.get(server.url('/f'), { maxBytes: MAX });
    assert.ok(result.status === 200);
    assert.equal(text(result.bytes), 'ok');
    assert.equal(result.attempts, 2);
    assert.equal(server.requests, 2);
    assert.equal(server.connections, 1);
    assert.equal(client.stats.retries, 1);
  });

  test('waits out Retry-After (delta-seconds) on a 429 instead of the backoff', async (t) => {
    const { server, client } = await setup(t, (_req, res, { index }) =>
      index === 1 ? send(res, 429, 'slow down', { 'retry-after': '1' }) : send(res, 200, 'ok'),
    );
    const result = await client.get(server.url('/f'), { maxBytes: MAX });
    assert.equal(result.attempts, 2);
    const [first, second] = [server.log[0]!, server.log[1]!];
    // A lower bound on a sleep, measured by the server: not a speed assertion.
    assert.ok(second.receivedAt - first.receivedAt >= 900, `retried after ${second.receivedAt - first.receivedAt} ms`);
  });

  test('fails fast when Retry-After is longer than maxRetryAfterMs', async (t) => {
    const { server, client } = await setup(t, (_req, res) => send(res, 503, 'maintenance', { 'retry-after': '3600' }));
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 503);
    assert.match(err.message, /HTTP 503 Service Unavailable/);
    assert.match(err.message, /wait 3600 s before retrying, longer than the 30 s/);
    assert.equal(server.requests, 1);
  });

  test('retries after the server resets the connection', async (t) => {
    const { server, client } = await setup(t, (req, res, { index }) => {
      if (index === 1) req.socket.destroy();
      else send(res, 200, 'ok');
    });
    const result = await client.get(server.url('/f'), { maxBytes: MAX });
    assert.ok(result.status === 200);
    assert.equal(result.attempts, 2);
    assert.equal(server.connections, 2);
  });

  test('gives up after retries + 1 attempts with an error that says so', async (t) => {
    const { server, client } = await setup(t, (_req, res) => send(res, 503, 'down'), { retries: 3 });
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof HttpError);
    assert.equal(err.code, 'E_HTTP');
    assert.equal(err.status, 503);
    assert.equal(
      err.message,
      `GET ${server.url('/f')} failed after 4 attempts: HTTP 503 Service Unavailable — the marketplace is down or overloaded; try again later`,
    );
    assert.equal(server.requests, 4);
    assert.deepEqual(client.stats, { requests: 4, retries: 3, notModified: 0, bytes: 0 });
  });

  test('draws every backoff from the injected random source', async (t) => {
    let draws = 0;
    const random = (): number => {
      draws++;
      return 0;
    };
    const { client, server } = await setup(t, (_req, res) => send(res, 502, 'bad gateway'), { retries: 2, random });
    await assert.rejects(client.get(server.url('/f'), { maxBytes: MAX }), HttpError);
    assert.equal(draws, 2);
  });

  test('does not retry a 404: NotFoundError after one request', async (t) => {
    const { server, client } = await setup(t, (_req, res) => send(res, 404, 'nope'));
    const err = await rejection(client.get(server.url('/missing.zip'), { maxBytes: MAX }));
    assert.ok(err instanceof NotFoundError);
    assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:\d+\/missing\.zip failed: HTTP 404 Not Found/);
    assert.equal(server.requests, 1);
  });

  test('does not retry a 403: HttpError after one request', async (t) => {
    const { server, client } = await setup(t, (_req, res) => send(res, 403, 'go away'));
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 403);
    assert.equal(err.url, server.url('/f'));
    assert.equal(server.requests, 1);
  });

  test('does not follow redirects and names the new location', async (t) => {
    const { server, client } = await setup(t, (_req, res) => send(res, 301, '', { location: 'https://elsewhere.invalid/' }));
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 301);
    assert.match(err.message, /moved to https:\/\/elsewhere\.invalid\//);
    assert.equal(server.requests, 1);
  });

  test('sends If-None-Match and returns a 304', async (t) => {
    const { server, client } = await setup(t, (req, res) =>
      req.headers['if-none-match'] === '"v1"' ? send(res, 304) : send(res, 200, 'fresh', { etag: '"v1"' }),
    );
    const result = await client.get(server.url('/f'), { maxBytes: MAX, etag: '"v1"' });
    assert.deepEqual(result, { status: 304, etag: '"v1"', lastModified: undefined, attempts: 1 });
    assert.equal(client.stats.notModified, 1);
  });

  test('sends If-Modified-Since and returns a 304 with the server validators', async (t) => {
    const since = 'Sun, 06 Nov 1994 08:49:37 GMT';
    const { server, client } = await setup(t, (req, res) =>
      req.headers['if-modified-since'] === since ? send(res, 304, '', { 'last-modified': since, etag: '"v2"' }) : send(res, 200, 'x'),
    );
    const result = await client.get(server.url('/f'), { maxBytes: MAX, lastModified: since });
    assert.deepEqual(result, { status: 304, etag: '"v2"', lastModified: since, attempts: 1 });
  });

  test('maps a headers timeout to TimeoutError and retries it', async (t) => {
    const { server, client } = await setup(t, () => {
      // Never answer.
    }, { headersTimeoutMs: 200, retries: 1 });
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof TimeoutError);
    assert.equal(err.code, 'E_TIMEOUT');
    assert.match(err.message, /after 2 attempts: the server did not answer in time \(UND_ERR_HEADERS_TIMEOUT\)/);
    assert.equal(server.requests, 2);
  });

  test('maps a stalled body to TimeoutError', async (t) => {
    const { server, client } = await setup(t, (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('x'.repeat(10)); // ...and never the rest
    }, { bodyTimeoutMs: 200, retries: 0 });
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof TimeoutError);
    assert.match(err.message, /the download stalled \(UND_ERR_BODY_TIMEOUT\)/);
  });

  test('refuses a body whose Content-Length exceeds maxBytes before reading it', async (t) => {
    const { server, client } = await setup(t, (_req, res) => send(res, 200, 'x'.repeat(1000)));
    let progressCalls = 0;
    const err = await rejection(
      client.get(server.url('/f'), { maxBytes: 100, onProgress: () => progressCalls++ }),
    );
    assert.ok(err instanceof TooLargeError);
    assert.match(err.message, /1000 bytes, more than the 100-byte limit/);
    assert.equal(progressCalls, 0);
    assert.equal(server.requests, 1);
  });

  test('stops a chunked body as soon as it passes maxBytes', async (t) => {
    const chunk = Buffer.alloc(4096, 1);
    const maxChunks = 16_384; // 64 MiB: far more than socket buffers can hold without the client reading
    let written = 0;
    let serverDone: Promise<void> = Promise.resolve();
    const { server, client } = await setup(t, async (req, res) => {
      serverDone = socketClosed(req);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no Content-Length: chunked
      while (written < maxChunks && !res.destroyed) {
        written++;
        if (!res.write(chunk)) await drainedOrClosed(res);
      }
      res.end();
    });
    let lastProgress = 0;
    const err = await rejection(
      client.get(server.url('/f'), { maxBytes: 64 * 1024, onProgress: (received) => (lastProgress = received) }),
    );
    assert.ok(err instanceof TooLargeError);
    assert.match(err.message, /more than the 65536-byte limit/);
    assert.ok(lastProgress <= 64 * 1024);
    await serverDone;
    assert.ok(written < maxChunks, `the server wrote all ${written} chunks: the client did not hang up`);
    assert.equal(server.requests, 1);
  });

  test('retries a body cut short of its Content-Length instead of returning it', async (t) => {
    const { server, client } = await setup(t, (req, res, { index }) => {
      if (index === 1) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('x'.repeat(50), () => req.socket.end());
      } else {
        send(res, 200, 'y'.repeat(100));
      }
    });
    const result = await client.get(server.url('/f'), { maxBytes: MAX });
    assert.ok(result.status === 200);
    assert.equal(text(result.bytes), 'y'.repeat(100));
    assert.equal(result.attempts, 2);
  });

  test('a body that is always cut short fails with NetworkError', async (t) => {
    const { server, client } = await setup(t, (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('x'.repeat(50), () => req.socket.end());
    }, { retries: 1 });
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof NetworkError);
    assert.match(err.message, /failed after 2 attempts/);
    assert.equal(server.requests, 2);
  });

  test('aborting mid-body rejects with AbortedError, drops that connection, and the client stays usable', async (t) => {
    let abortedSocketClosed: Promise<void> = Promise.resolve();
    const { server, client } = await setup(t, (req, res, { index }) => {
      if (index > 1) return send(res, 200, 'ok');
      abortedSocketClosed = socketClosed(req);
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x'.repeat(10)); // then stall
    });
    const controller = new AbortController();
    const err = await rejection(
      client.get(server.url('/f'), { maxBytes: MAX, signal: controller.signal, onProgress: () => controller.abort() }),
    );
    assert.ok(err instanceof AbortedError);
    assert.equal(err.code, 'E_ABORTED');
    assert.match(err.message, /was cancelled: the caller cancelled/);
    await abortedSocketClosed; // resolves only because the client hung up
    const next = await client.get(server.url('/g'), { maxBytes: MAX });
    assert.equal(next.status, 200);
    assert.equal(server.requests, 2);
  });

  test('an already aborted signal sends nothing', async (t) => {
    const { server, client } = await setup(t, (_req, res) => send(res, 200, 'ok'));
    await assert.rejects(client.get(server.url('/f'), { maxBytes: MAX, signal: AbortSignal.abort() }), AbortedError);
    assert.equal(server.requests, 0);
  });

  test('aborting during the wait before a retry rejects at once', async (t) => {
    const controller = new AbortController();
    const { server, client } = await setup(t, (_req, res) => {
      res.once('finish', () => setImmediate(() => controller.abort()));
      send(res, 503, 'down', { 'retry-after': '20' });
    });
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX, signal: controller.signal }));
    assert.ok(err instanceof AbortedError);
    assert.equal(server.requests, 1);
  });

  test('close() cancels a pending retry wait', async (t) => {
    const { server, client } = await setup(t, (_req, res) => {
      res.once('finish', () => setImmediate(() => void client.close()));
      send(res, 503, 'down', { 'retry-after': '20' });
    });
    const err = await rejection(client.get(server.url('/f'), { maxBytes: MAX }));
    assert.ok(err instanceof AbortedError);
    assert.match(err.message, /the HTTP client was closed/);
    await assert.rejects(client.get(server.url('/f'), { maxBytes: MAX }), AbortedError);
    assert.equal(server.requests, 1);
  });

  test('a refused connection is retried, then reported as NetworkError', async (t) => {
    const closed = await LoopbackServer.start();
    const url = closed.url('/f');
    await closed.close(); // nothing listens on that port any more
    const client = new HttpClient({ ...FAST_RETRIES, retries: 1 });
    t.after(() => client.close());
    const err = await rejection(client.get(url, { maxBytes: MAX }));
    assert.ok(err instanceof NetworkError);
    assert.match(err.message, /failed after 2 attempts: the connection was refused \(ECONNREFUSED\)/);
    assert.equal(client.stats.requests, 2);
  });

  test('rejects bad URLs, bad maxBytes and bad options with FormatError', async (t) => {
    const client = new HttpClient();
    t.after(() => client.close());
    await assert.rejects(client.get('not a url', { maxBytes: 1 }), FormatError);
    await assert.rejects(client.get('ftp://127.0.0.1/f', { maxBytes: 1 }), FormatError);
    await assert.rejects(client.get('http://127.0.0.1/f', { maxBytes: -1 }), FormatError);
    assert.throws(() => new HttpClient({ retries: -1 }), FormatError);
    assert.throws(() => new HttpClient({ connections: 0 }), FormatError);
    assert.throws(() => new HttpClient({ bodyTimeoutMs: 1.5 }), FormatError);
  });
});
