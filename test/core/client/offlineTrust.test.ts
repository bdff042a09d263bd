import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { MarketplaceClient, type MarketplaceClientOptions } from '../../../src/core';
import { sha256Hex } from '../../../src/core/format';
import { LoopbackServer } from '../../helpers/loopbackServer';
import { FixtureServer, MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';
import { LOOPBACK_TLS } from '../../helpers/loopbackTls';
import { ConnectProxy } from '../../helpers/connectProxy';

const TEMPLATES = [{ id: 'readme', downloads: 9 }, { id: 'adr', downloads: 3 }];
const EXPIRES = '2026-12-01T00:00:00Z';
const BEFORE = Date.parse('2026-11-24T00:00:00Z');
const AFTER = Date.parse('2026-12-02T00:00:00Z');
const HTTP = { retries: 0, baseDelayMs: 1, maxDelayMs: 2, random: () => 0.5, headersTimeoutMs: 200 } as const;

type CatalogFault = 'reset' | 'truncate' | 'stall' | 'refused' | { status: number };

/**
 * A marketplace whose catalog.json can be cut off in one of several ways for as long as a test
 * wants (packages stay reachable): the failures that used to let an expired catalog through.
 */
class FlakyMarketplace {
  fault: CatalogFault | undefined;
  catalogRequests = 0;

  private constructor(
    readonly fixture: MarketplaceFixture,
    readonly server: LoopbackServer,
  ) {}

  static async start(t: TestContext, fixture: MarketplaceFixture): Promise<FlakyMarketplace> {
    const holder: { market?: FlakyMarketplace } = {};
    const server = await LoopbackServer.start((req, res) => holder.market!.handle(req, res));
    holder.market = new FlakyMarketplace(fixture, server);
    t.after(() => server.close());
    return holder.market;
  }

  get url(): string {
    return this.server.url('/');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    const fault = path === 'catalog.json' ? this.fault : undefined;
    if (path === 'catalog.json') this.catalogRequests++;
    if (fault === 'reset' || fault === 'refused') {
      req.socket.destroy();
      return;
    }
    if (fault === 'stall') return; // the client's headers timeout must fire
    if (fault && typeof fault === 'object') {
      res.writeHead(fault.status).end('down');
      return;
    }
    const body = this.fixture.files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const etag = `"${sha256Hex(body).slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag && fault !== 'truncate') {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { etag, 'content-length': body.length });
    if (fault === 'truncate') {
      res.write(body.subarray(0, body.length >> 1));
      req.socket.destroy();
      return;
    }
    res.end(body);
  }
}

async function expiredWhileCutOff(t: TestContext, fault: CatalogFault) {
  const fixture = new MarketplaceFixture(TEMPLATES, { expires: EXPIRES });
  const market = await FlakyMarketplace.start(t, fixture);
  const cacheDir = await tempDir(t);
  const clock = { now: BEFORE };
  const options: MarketplaceClientOptions = {
    sources: [{ id: 'm', url: market.url, publicKey: fixture.publicKey }],
    cacheDir,
    // A stalled server is cut off by the request deadline (undici's own timers tick about once a second).
    http: fault === 'stall' ? { ...HTTP, deadlineMs: 300 } : HTTP,
    catalogTtlMs: 60_000,
    now: () => clock.now,
  };
  const client = await MarketplaceClient.open(options);
  t.after(() => client.close());
  // Everything an install needs is cached while the catalog is valid...
  assert.equal((await client.downloadBatch(['readme', 'adr'])).totals.done, 2);
  // ...then the catalog expires and the marketplace is cut off.
  clock.now = AFTER;
  market.fault = fault;
  return { fixture, market, client, cacheDir, clock, options };
}

const FAULTS: { fault: CatalogFault; code: string }[] = [
  { fault: 'reset', code: 'E_NETWORK' },
  { fault: 'truncate', code: 'E_NETWORK' },
  { fault: 'stall', code: 'E_TIMEOUT' }, // answers nothing: cut off by the deadline
  { fault: { status: 503 }, code: 'E_HTTP' },
  { fault: { status: 500 }, code: 'E_HTTP' },
];

describe('offline is for browsing, never for trusting', { timeout: 60_000 }, () => {
  for (const { fault, code } of FAULTS) {
    test(`an expired catalog is browsed but never trusted when catalog.json gets ${JSON.stringify(fault)}`, async (t) => {
      const { client, cacheDir } = await expiredWhileCutOff(t, fault);

      // Browsing goes on, marked: the cached copy, expired, offline.
      assert.deepEqual((await client.list()).map((x) => x.id).sort(), ['adr', 'readme']);
      const [status] = client.status();
      assert.equal(status?.expired, true);
      assert.equal(status?.state, 'offline');
      assert.equal((status?.error as { code?: string })?.code, code);
      // A preview is browsing too.
      assert.equal((await client.open('readme', { purpose: 'browse' })).manifest.id, 'readme');

      // Trusting does not: install, plan, package reads and downloads fail, naming why.
      const ws = join(cacheDir, 'ws');
      const expired = (err: Error & { code?: string }) => {
        assert.equal(err.code, 'E_EXPIRED');
        assert.match(err.message, /expired at 2026-12-01T00:00:00Z and could not be revalidated/);
        assert.match(err.message, new RegExp(code));
        return true;
      };
      await assert.rejects(client.install('readme', ws), expired);
      await assert.rejects(readdir(ws), { code: 'ENOENT' }, 'nothing was written');
      await assert.rejects(client.plan('readme', ws), expired);
      await assert.rejects(client.getPackage('m/readme'), expired);
      await assert.rejects(client.open('readme'), expired);
      const batch = await client.downloadBatch(['readme']);
      assert.equal(!batch.items[0]!.ok && batch.items[0]!.error.code, 'E_EXPIRED');

      // Verification needs the marketplace to confirm the catalog now.
      const verified = await client.verifyBatch(['readme', 'adr']);
      for (const v of verified) {
        assert.equal(v.ok, false);
        assert.ok(!v.ok && v.error.code === code && /could not revalidate the catalog/.test(v.error.message), !v.ok ? v.error.message : '');
      }
      await assert.rejects(client.revalidate(), (err: Error & { code?: string }) => err.code === code && /could not revalidate/.test(err.message));
    });
  }

  test('a refused connection (server gone) is no different', async (t) => {
    const { client, market } = await expiredWhileCutOff(t, 'refused');
    await market.server.close();
    assert.equal((await client.list()).length, 2);
    await assert.rejects(client.install('readme', '/nonexistent-target'), { code: 'E_EXPIRED' });
    const [v] = await client.verifyBatch(['readme']);
    assert.ok(v && !v.ok && v.error.code === 'E_NETWORK');
  });

  test('a TLS failure is no different', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { expires: EXPIRES });
    const server = await FixtureServer.start(fixture, { tls: LOOPBACK_TLS });
    t.after(() => server.close());
    const proxy = await ConnectProxy.start();
    t.after(() => proxy.close());
    const cacheDir = await tempDir(t);
    const clock = { now: BEFORE };
    const base = { sources: [{ id: 'm', url: server.url, publicKey: fixture.publicKey }], cacheDir, now: () => clock.now };
    // Accepted while reachable (through a proxy that does not check the self-signed certificate)...
    const first = await MarketplaceClient.open({ ...base, http: { ...HTTP, proxy: { url: proxy.url, strictSSL: false } } });
    assert.equal((await first.downloadBatch(['readme'])).totals.done, 1);
    await first.close();
    // ...then, expired, only reachable over a connection whose certificate does not verify.
    clock.now = AFTER;
    const client = await MarketplaceClient.open({ ...base, http: HTTP });
    t.after(() => client.close());
    assert.equal((await client.list()).length, 2, 'browsable');
    assert.equal((client.status()[0]?.error as { code?: string })?.code, 'E_NETWORK');
    await assert.rejects(client.install('readme', join(cacheDir, 'ws')), (err: Error & { code?: string }) => err.code === 'E_EXPIRED' && /certificate/i.test(err.message));
    const [v] = await client.verifyBatch(['readme']);
    assert.ok(v && !v.ok && v.error.code === 'E_NETWORK' && /could not revalidate/.test(v.error.message));
  });

  test('an unexpired catalog past its TTL is still trusted while the marketplace is down', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { expires: EXPIRES });
    const market = await FlakyMarketplace.start(t, fixture);
    const cacheDir = await tempDir(t);
    const clock = { now: BEFORE };
    const client = await MarketplaceClient.open({
      sources: [{ id: 'm', url: market.url, publicKey: fixture.publicKey }],
      cacheDir,
      http: HTTP,
      catalogTtlMs: 1000,
      now: () => clock.now,
    });
    t.after(() => client.close());
    assert.equal((await client.downloadBatch(['readme'])).totals.done, 1);
    clock.now += 60_000; // stale, not expired
    market.fault = 'reset';
    await mkdir(join(cacheDir, 'ws'));
    const result = await client.install('readme', join(cacheDir, 'ws'));
    assert.deepEqual(result.written, ['readme.md']);
    // But verification still demands the marketplace.
    const [v] = await client.verifyBatch(['readme']);
    assert.ok(v && !v.ok && v.error.code === 'E_NETWORK');
  });

  test('once the marketplace answers with a renewed catalog, installing works again', async (t) => {
    const { client, market, fixture, cacheDir } = await expiredWhileCutOff(t, 'reset');
    await assert.rejects(client.install('readme', join(cacheDir, 'ws')), { code: 'E_EXPIRED' });

    // Reachable again but still serving the expired catalog: a confirmed freeze, still refused.
    market.fault = undefined;
    await assert.rejects(client.install('readme', join(cacheDir, 'ws')), (err: Error & { code?: string }) => err.code === 'E_EXPIRED');
    const [frozen] = await client.verifyBatch(['readme']);
    assert.ok(frozen && !frozen.ok && frozen.error.code === 'E_EXPIRED');

    fixture.publish(TEMPLATES, { version: 2, expires: '2027-01-01T00:00:00Z' });
    await mkdir(join(cacheDir, 'ws'));
    const result = await client.install('readme', join(cacheDir, 'ws'));
    assert.deepEqual(result.written, ['readme.md']);
    const verified = await client.verifyBatch(['readme', 'adr']);
    assert.deepEqual(verified.map((v) => v.ok), [true, true]);
  });

  test('verifyBatch revalidates each source once per call and never verifies against a stale copy', async (t) => {
    const fixture = new MarketplaceFixture(TEMPLATES, { expires: '2099-01-01T00:00:00Z' });
    const market = await FlakyMarketplace.start(t, fixture);
    const client = await MarketplaceClient.open({
      sources: [{ id: 'm', url: market.url, publicKey: fixture.publicKey }],
      cacheDir: await tempDir(t),
      http: HTTP,
    });
    t.after(() => client.close());
    await client.list();
    const before = market.catalogRequests;
    const verified = await client.verifyBatch(['readme', 'adr', 'm/readme']);
    assert.deepEqual(verified.map((v) => v.ok), [true, true, true]);
    assert.equal(market.catalogRequests - before, 1, 'one revalidation (a 304) for the whole batch');

    // Not expired, merely unreachable: browsing and installing go on, verifying does not.
    market.fault = { status: 502 };
    assert.equal((await client.list()).length, 2);
    const failed = await client.verifyBatch(['readme']);
    assert.ok(!failed[0]!.ok && failed[0]!.error.code === 'E_HTTP' && /could not revalidate/.test(failed[0]!.error.message));
  });
});
