// npm's own download stack, the peer of the cold-path benches (issue 10): make-fetch-happen (what
// npm-registry-fetch, and so pacote, fetches tarballs with) over a cacache folder, every request
// carrying the package's SRI `integrity`. Per package that is: a cacache index lookup (a miss when
// cold), the GET on a keep-alive agent, the body checked against the SRI while it streams, the bytes
// written into cacache's content-addressed store (temp file, then moved into place) and an index
// entry appended. Then the one Ed25519 check of the publisher's signature that the engine and the
// floor make too, so that all three do the same work. Bench only: these are devDependencies.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as cacache from 'cacache';
import fetch from 'make-fetch-happen';
import { fromBase64, type TemplateEntry } from '../../../src/core/format';
import type { MarketplaceFixture } from '../../helpers/marketplaceFixture';
import type { Served } from './coldPath';
import { concurrently, timed } from './concurrently';

/** The versions measured, as installed. */
export function npmStackVersions(): string {
  const root = resolve(__dirname, '..', '..', '..', 'node_modules');
  const version = (name: string): string => (JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as { version: string }).version;
  return ['make-fetch-happen', 'cacache', 'ssri', 'minipass-fetch', '@npmcli/agent'].map((n) => `${n} ${version(n)}`).join(', ');
}

/**
 * Hash with SHA-256 only, the algorithm of the catalog's digest: by default ssri would compute
 * SHA-512 as well and cacache file the content under it. npm itself, checking a registry's sha512
 * integrity, computes one digest per tarball too.
 */
const ONE_DIGEST = { algorithms: ['sha256'] };

/** The SRI string npm would carry for a package whose hex SHA-256 the catalog gives. */
export function sri(sha256: string): string {
  return `sha256-${Buffer.from(sha256, 'hex').toString('base64')}`;
}

/** npm's cold batch into a fresh cacache folder (left for the caller, who may read it back, then removes it). */
export async function npmCold(served: Served, templates: readonly TemplateEntry[], concurrency = 8): Promise<{ ms: number; cachePath: string }> {
  const cachePath = await mkdtemp(join(tmpdir(), 'tm-npm-'));
  const key = publisherKey(served.fixture);
  const get = fetch.defaults({ cachePath, maxSockets: concurrency, retry: 0, ...ONE_DIGEST });
  const ms = await timed(() =>
    concurrently(templates, concurrency, async (t) => {
      const res = await get(new URL(t.path, served.url).href, { integrity: sri(t.sha256) });
      const bytes = await res.buffer(); // resolves once cacache has stored them
      if (res.status !== 200 || bytes.byteLength !== t.size) throw new Error(`npm: ${t.path} answered ${res.status}`);
      if (res.headers.get('x-local-cache-status') !== 'miss') throw new Error(`npm: ${t.path} was not fetched and stored`);
      if (!verify(null, Buffer.from(t.sha256, 'hex'), key, fromBase64(t.signature)!)) throw new Error(`npm: ${t.path} signature`);
    }),
  );
  return { ms, cachePath };
}

/** A disk hit the way npm reads a tarball it knows the integrity of: `cacache.get.byDigest` (one content file, SRI checked; no memoization). */
export function npmReadsByDigest(cachePath: string, templates: readonly TemplateEntry[], concurrency = 8): Promise<number> {
  return timed(() =>
    concurrently(templates, concurrency, async (t) => {
      const bytes = await cacache.get.byDigest(cachePath, sri(t.sha256));
      if (bytes.byteLength !== t.size) throw new Error(`cacache: ${t.path} has ${bytes.byteLength} bytes`);
    }),
  );
}

/**
 * A disk hit through make-fetch-happen itself: the index lookup by URL (cacache's `index.compact`,
 * which rewrites the index bucket atomically on every lookup), the HTTP cache policy (the packages
 * are `immutable`, so fresh: no request goes out) and the content streamed from cacache, SRI checked.
 */
export function npmCachedFetches(served: Served, cachePath: string, templates: readonly TemplateEntry[], concurrency = 8): Promise<number> {
  const get = fetch.defaults({ cachePath, maxSockets: concurrency, retry: 0, ...ONE_DIGEST });
  return timed(() =>
    concurrently(templates, concurrency, async (t) => {
      const res = await get(new URL(t.path, served.url).href, { integrity: sri(t.sha256) });
      const bytes = await res.buffer();
      if (res.headers.get('x-local-cache-status') !== 'hit') throw new Error(`make-fetch-happen: ${t.path} was ${res.headers.get('x-local-cache-status')}, not a cache hit`);
      if (bytes.byteLength !== t.size) throw new Error(`make-fetch-happen: ${t.path} has ${bytes.byteLength} bytes`);
    }),
  );
}

/** How many entries the cacache index holds. */
export async function npmCachedEntries(cachePath: string): Promise<number> {
  return Object.keys(await cacache.ls(cachePath)).length;
}

function publisherKey(fixture: MarketplaceFixture): KeyObject {
  const raw = Buffer.from(fixture.publisherKey.publicKey);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}
