import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { DiskCache } from '../../../src/core/cache/diskCache';
import { SourceCatalog, isUnreachable, type CatalogReadMode } from '../../../src/core/catalog/sourceCatalog';
import { TrustStore } from '../../../src/core/catalog/trustStore';
import { FormatError, MarketplaceError, SignatureError, TooLargeError } from '../../../src/core/errors';
import { Metrics } from '../../../src/core/metrics/metrics';
import { deadlineFailure, errorFailure, failureToError, lengthMismatchFailure, slowTransferFailure, statusFailure } from '../../../src/core/net/failure';
import type { FetchOptions, FetchResult, Fetcher } from '../../../src/core/net/types';
import { MarketplaceFixture, tempDir } from '../../helpers/marketplaceFixture';

const URL_ = 'https://templates.example.test/';
const code = (c: string, message = `x ${c}`) => Object.assign(new Error(message), { code: c });

/**
 * Every way the marketplace can be cut off, as the HTTP client reports it. They are built with the
 * client's own classification (errorFailure, statusFailure, …), so they are the errors a real DNS,
 * TLS or socket failure produces.
 */
const CUT_OFF: Record<string, () => Error> = {
  'DNS (ENOTFOUND)': () => failureToError(errorFailure(code('ENOTFOUND', 'getaddrinfo ENOTFOUND templates.example.test')), URL_, 1),
  'DNS (EAI_AGAIN)': () => failureToError(errorFailure(code('EAI_AGAIN')), URL_, 4),
  'TCP reset': () => failureToError(errorFailure(code('ECONNRESET')), URL_, 4),
  'connection refused': () => failureToError(errorFailure(code('ECONNREFUSED')), URL_, 4),
  'TLS certificate': () => failureToError(errorFailure(code('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')), URL_, 1),
  'TLS handshake': () => failureToError(errorFailure(code('ERR_SSL_WRONG_VERSION_NUMBER')), URL_, 1),
  'connect timeout': () => failureToError(errorFailure(code('UND_ERR_CONNECT_TIMEOUT')), URL_, 4),
  'headers timeout': () => failureToError(errorFailure(code('UND_ERR_HEADERS_TIMEOUT')), URL_, 4),
  'body timeout': () => failureToError(errorFailure(code('UND_ERR_BODY_TIMEOUT')), URL_, 4),
  'too slow': () => failureToError(slowTransferFailure({ bytesPerSecond: 1024, windowMs: 1000 }, 3, 10), URL_, 4),
  deadline: () => failureToError(deadlineFailure(1000), URL_, 2),
  'truncated body': () => failureToError(lengthMismatchFailure(10, 100), URL_, 4),
  'HTTP 500': () => failureToError(statusFailure(500, undefined, undefined), URL_, 4),
  'HTTP 502': () => failureToError(statusFailure(502, undefined, undefined), URL_, 4),
  'HTTP 503': () => failureToError(statusFailure(503, undefined, 1000), URL_, 4),
  'HTTP 429': () => failureToError(statusFailure(429, undefined, 1000), URL_, 4),
};

/** Answers of a reachable marketplace that are refusals, not outages. */
const REFUSALS: Record<string, () => Error> = {
  'HTTP 404': () => failureToError(statusFailure(404, undefined, undefined), URL_, 1),
  'HTTP 403': () => failureToError(statusFailure(403, undefined, undefined), URL_, 1),
  'too large': () => new TooLargeError('too large'),
  'bad signature': () => new SignatureError('catalog.json: the signature does not verify'),
  'bad format': () => new FormatError('bad', 'catalog.json'),
  'a bug': () => new TypeError('cannot read properties of undefined'),
};

class ScriptedFetcher implements Fetcher {
  fail: (() => Error) | undefined;
  calls = 0;
  constructor(private readonly fixture: MarketplaceFixture) {}
  async get(path: string, opts: FetchOptions): Promise<FetchResult> {
    this.calls++;
    if (this.fail) throw this.fail();
    const bytes = this.fixture.files.get(path)!;
    const etag = `"${bytes.length}"`;
    if (opts.etag === etag) return { status: 304, etag, attempts: 1 };
    return { status: 200, bytes, etag, attempts: 1 };
  }
  async close(): Promise<void> {}
}

async function expiredSource(t: TestContext) {
  const fixture = new MarketplaceFixture([{ id: 'readme' }], { expires: '2026-12-01T00:00:00Z' });
  const dir = await tempDir(t);
  const clock = { now: Date.parse('2026-11-20T00:00:00Z') };
  const disk = await DiskCache.open({ dir: `${dir}/cache`, maxBytes: 64 * 1024 * 1024, ttlMs: 1e9, now: () => clock.now });
  t.after(() => disk.close());
  const fetcher = new ScriptedFetcher(fixture);
  const source = new SourceCatalog(
    { id: 's', url: URL_, publicKey: fixture.publicKey },
    { fetcher, disk, trust: await TrustStore.open(dir), metrics: new Metrics(), ttlMs: 60_000, now: () => clock.now },
  );
  t.after(() => source.dispose());
  assert.equal((await source.get()).catalog.version, 1);
  clock.now = Date.parse('2026-12-02T00:00:00Z');
  return { source, fetcher };
}

async function read(source: SourceCatalog, mode: CatalogReadMode): Promise<MarketplaceError | 'served'> {
  try {
    await source.get({ mode });
    return 'served';
  } catch (err) {
    assert.ok(err instanceof MarketplaceError, `a typed error, got ${String(err)}`);
    return err;
  }
}

describe('catalog read modes, for every way the marketplace can be cut off', () => {
  for (const [name, error] of Object.entries(CUT_OFF)) {
    test(`${name}: an expired catalog is browsed (offline), never trusted, never verified`, async (t) => {
      const { source, fetcher } = await expiredSource(t);
      fetcher.fail = error;
      assert.ok(isUnreachable(error()), 'counts as unreachable');
      assert.equal(await read(source, 'browse'), 'served');
      assert.equal(source.status().state, 'offline');
      assert.equal(source.status().expired, true);

      const trusted = await read(source, 'trust');
      assert.ok(trusted !== 'served');
      assert.equal(trusted.code, 'E_EXPIRED');
      assert.match(trusted.message, /expired at 2026-12-01T00:00:00Z and could not be revalidated/);

      const revalidated = await read(source, 'revalidate');
      assert.ok(revalidated !== 'served');
      assert.equal(revalidated.code, (error() as MarketplaceError).code);
      assert.match(revalidated.message, /could not revalidate the catalog/);
    });
  }

  for (const [name, error] of Object.entries(REFUSALS)) {
    test(`${name}: a refusal is neither browsed past expiry nor trusted, and keeps its own type`, async (t) => {
      const { source, fetcher } = await expiredSource(t);
      fetcher.fail = error;
      assert.equal(isUnreachable(error()), false);
      const browsed = await read(source, 'browse');
      assert.ok(browsed !== 'served');
      assert.equal(source.status().state, 'error');
      assert.notEqual(browsed.code, 'E_NETWORK', 'never reported as a network problem');
      if (!(error() instanceof MarketplaceError)) assert.equal(browsed.code, 'E_INTERNAL');
      const trusted = await read(source, 'trust');
      assert.ok(trusted !== 'served' && trusted.code === 'E_EXPIRED');
      const revalidated = await read(source, 'revalidate');
      assert.ok(revalidated !== 'served' && revalidated.code !== 'E_NETWORK');
    });
  }

  test('with the marketplace back but still serving the expired catalog, the freeze is refused', async (t) => {
    const { source, fetcher } = await expiredSource(t);
    fetcher.fail = CUT_OFF['TCP reset'];
    assert.equal((await read(source, 'trust')) !== 'served', true);
    fetcher.fail = undefined;
    // Still the same expired catalog: a 304 confirms a freeze, which trust and verify refuse.
    assert.equal(((await read(source, 'revalidate')) as MarketplaceError).code, 'E_EXPIRED');
  });
});
