import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { HttpClient, type HttpClientOptions } from '../../../src/core/net/httpClient';
import { LoopbackServer, type LoopbackHandler } from '../../helpers/loopbackServer';
import { FormatError, MarketplaceError } from '../../../src/core/errors';
import { rejection } from '../../helpers/rejection';

async function failure(promise: Promise<unknown>): Promise<MarketplaceError> {
  const err = await rejection(promise);
  assert.ok(err instanceof MarketplaceError, String(err));
  return err;
}

const TIGHT: HttpClientOptions = {
  retries: 0,
  baseDelayMs: 1,
  maxDelayMs: 2,
  random: () => 0.5,
  minSpeed: { bytesPerSecond: 1000, windowMs: 200 },
  deadlineMs: 10_000,
};

async function setup(t: TestContext, handler: LoopbackHandler, opts: HttpClientOptions = {}) {
  const server = await LoopbackServer.start(handler);
  const client = new HttpClient({ ...TIGHT, ...opts });
  t.after(async () => {
    await server.close();
    await client.close();
  });
  return { server, client };
}

/**
 * Sends `chunk` every `everyMs` until `total` bytes are out or the client goes away (the timer stops
 * with the response). Returns a counter of the bytes actually sent.
 */
function trickle(res: ServerResponse, total: number, chunk: number, everyMs: number, sent: { bytes: number }): void {
  res.writeHead(200, { 'content-length': String(total) });
  const timer = setInterval(() => {
    if (res.destroyed || sent.bytes >= total) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    const n = Math.min(chunk, total - sent.bytes);
    res.write(Buffer.alloc(n, 0x61));
    sent.bytes += n;
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

describe('no request can hang', { timeout: 30_000 }, () => {
  test('a server trickling a byte at a time is cut off by the minimum speed, not after the silence timeout', async (t) => {
    const sent = { bytes: 0 };
    const total = 100_000;
    // One byte every 20 ms: never silent for long, so bodyTimeoutMs (30 s by default) never fires.
    const { server, client } = await setup(t, (_req, res) => trickle(res, total, 1, 20, sent), { retries: 1 });
    const err = await failure(client.get(server.url('/catalog.json'), { maxBytes: 1_000_000 }));
    assert.equal(err.code, 'E_TIMEOUT');
    assert.match(err.message, /slower than the minimum of 1000 bytes\/s over 0\.2 s/);
    assert.match(err.message, /after 2 attempts/, 'a slow transfer is retried, within the deadline');
    assert.equal(server.requests, 2);
    assert.ok(sent.bytes < total / 10, `cut off early: ${sent.bytes} of ${total} bytes sent`);
  });

  test('a fast body passes the same minimum speed, however small or large', async (t) => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x62);
    const { server, client } = await setup(t, (req, res) => {
      const body = req.url === '/big' ? big : Buffer.from('tiny');
      res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    });
    const small = await client.get(server.url('/small'), { maxBytes: 10 });
    assert.ok(small.status === 200 && small.bytes.length === 4);
    const large = await client.get(server.url('/big'), { maxBytes: big.length });
    assert.ok(large.status === 200 && large.bytes.length === big.length);
  });

  test('a body steadily faster than the minimum, but endless, is cut off by the deadline', async (t) => {
    const sent = { bytes: 0 };
    const total = 50 * 1024 * 1024;
    // 1 KiB every 20 ms is ~50 KB/s: well above the minimum speed, and would take 17 minutes.
    const { server, client } = await setup(t, (_req, res) => trickle(res, total, 1024, 20, sent), { deadlineMs: 400, retries: 3 });
    const err = await failure(client.get(server.url('/packages/big.zip'), { maxBytes: total }));
    assert.equal(err.code, 'E_TIMEOUT');
    assert.match(err.message, /did not complete within its 0\.4 s deadline/);
    assert.equal(server.requests, 1, 'a deadline is final: not retried');
    assert.ok(sent.bytes < total / 100);
  });

  test('a server trickling its headers is cut off by the deadline', async (t) => {
    // A raw socket server: one header byte every 20 ms, never finishing the header block.
    const sockets = new Set<Socket>();
    const raw = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      const head = `HTTP/1.1 200 OK\r\nX-Slow: ${'a'.repeat(100_000)}`;
      let i = 0;
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(head[i++]!)), 20);
      socket.on('close', () => {
        clearInterval(timer);
        sockets.delete(socket);
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    });
    const client = new HttpClient({ ...TIGHT, deadlineMs: 300, headersTimeoutMs: 60_000 });
    t.after(() => client.close());
    const err = await failure(client.get(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/catalog.json`, { maxBytes: 1000 }));
    assert.equal(err.code, 'E_TIMEOUT');
    assert.match(err.message, /deadline/);
  });

  test('retries and their waits count against the deadline', async (t) => {
    // Always 503 with Retry-After: 1 (s). Ten retries would take ten seconds; the deadline allows none.
    const { server, client } = await setup(t, (_req, res) => res.writeHead(503, { 'retry-after': '1' }).end('busy'), {
      retries: 10,
      deadlineMs: 500,
    });
    const err = await failure(client.get(server.url('/catalog.json'), { maxBytes: 1000 }));
    assert.equal(err.code, 'E_HTTP');
    assert.match(err.message, /HTTP 503[\s\S]*no time left for another attempt within the 0\.5 s deadline/);
    assert.equal(server.requests, 1, 'no pointless wait that the deadline would cut short anyway');

    // Connection resets with a short backoff: retried until the deadline, then stopped.
    server.handle((req) => req.socket.destroy());
    const busy = new HttpClient({ ...TIGHT, retries: 1000, baseDelayMs: 40, maxDelayMs: 40, random: () => 0.99, deadlineMs: 400 });
    t.after(() => busy.close());
    const before = server.requests;
    const reset = await failure(busy.get(server.url('/catalog.json'), { maxBytes: 1000 }));
    assert.ok(['E_TIMEOUT', 'E_NETWORK'].includes(reset.code), reset.message);
    assert.match(reset.message, /deadline/);
    assert.ok(server.requests - before < 100, `bounded by the deadline, not by 1000 retries: ${server.requests - before} attempts`);
  });

  test('a caller cancelling is still a cancellation, not a deadline', async (t) => {
    const { server, client } = await setup(t, () => undefined, { deadlineMs: 60_000 });
    const controller = new AbortController();
    const pending = failure(client.get(server.url('/x'), { maxBytes: 10, signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const err = await pending;
    assert.equal(err.code, 'E_ABORTED');
  });

  test('the limits are validated', () => {
    for (const bad of [{ minSpeed: { bytesPerSecond: 0, windowMs: 1000 } }, { minSpeed: { bytesPerSecond: 10, windowMs: 0.5 } }, { deadlineMs: 0 }]) {
      assert.throws(() => new HttpClient(bad), FormatError, JSON.stringify(bad));
    }
  });
});
