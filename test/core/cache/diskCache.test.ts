import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DiskCache, type DiskCacheOptions } from '../../../src/core/cache';
import { AbortedError, FormatError } from '../../../src/core/errors';
import { sha256Hex, utf8, writePackage } from '../../../src/core/format';
import { makePayload } from './fixtures/payload';
import { manualClock, tempDir } from './helpers';

const TTL = 60_000;

describe('DiskCache', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let clock: ReturnType<typeof manualClock>;
  const opened: DiskCache[] = [];

  async function open(overrides: Partial<DiskCacheOptions> = {}): Promise<DiskCache> {
    const cache = await DiskCache.open({ dir: dir.path, maxBytes: 10_000_000, ttlMs: TTL, now: clock.now, ...overrides });
    opened.push(cache);
    return cache;
  }

  function recordPath(key: string): string {
    return join(dir.path, 'keys', `${sha256Hex(utf8.encode(key))}.json`);
  }

  function blobPath(sha256: string): string {
    return join(dir.path, 'blobs', sha256.slice(0, 2), sha256);
  }

  /** The record's header: its whole file (v1, naming a blob) or its first line (v2, the value follows). */
  async function readRecord(key: string): Promise<{ v: number; key: string; compression: string; meta: { sha256: string } }> {
    const file = await readFile(recordPath(key));
    const newline = file.indexOf(0x0a);
    return JSON.parse((newline < 0 ? file : file.subarray(0, newline)).toString('utf8')) as { v: number; key: string; compression: string; meta: { sha256: string } };
  }

  beforeEach(async () => {
    dir = await tempDir();
    clock = manualClock();
  });

  afterEach(async () => {
    for (const cache of opened.splice(0)) await cache.close();
    await dir.dispose();
  });

  it('returns exactly what was stored, with its meta, until it expires', async () => {
    const cache = await open();
    const bytes = makePayload('a', 1, 'json', 5000);
    const { meta, rawBytes } = await cache.set('a', bytes, { etag: '"e1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' });
    assert.deepEqual(meta, {
      sha256: sha256Hex(bytes),
      size: 5000,
      storedAt: clock.now(),
      expiresAt: clock.now() + TTL,
      etag: '"e1"',
      lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
    });
    assert.equal(rawBytes, 5000);
    const hit = await cache.get('a');
    assert.deepEqual(hit, { bytes, meta, stale: false });
    assert.equal(await cache.get('b'), undefined);
  });

  it('lays out one file per key: a JSON header line, then the deflated value, with no blob', async () => {
    const cache = await open();
    const bytes = makePayload('catalog', 1, 'json', 50_000);
    const { meta, storedBytes } = await cache.set('https://example.test/catalog.json', bytes);
    const record = await readRecord('https://example.test/catalog.json');
    assert.equal(record.v, 2);
    assert.equal(record.key, 'https://example.test/catalog.json');
    assert.equal(record.compression, 'deflate');
    assert.equal(record.meta.sha256, meta.sha256);
    const file = await readFile(recordPath('https://example.test/catalog.json'));
    assert.equal(file.byteLength - (file.indexOf(0x0a) + 1), storedBytes, 'the value follows the header line');
    assert.ok(storedBytes < bytes.byteLength / 4, `JSON compresses (${storedBytes} of ${bytes.byteLength})`);
    await assert.rejects(readFile(blobPath(meta.sha256)), { code: 'ENOENT' });
    assert.deepEqual(await cache.stats(), { entries: 1, blobs: 0, bytes: file.byteLength });
    assert.deepEqual((await cache.get('https://example.test/catalog.json'))?.bytes, bytes);
  });

  it('with inlineMaxBytes, lays out a v1 record naming a deflated, content-addressed blob', async () => {
    const cache = await open({ inlineMaxBytes: 16 * 1024 });
    const bytes = makePayload('catalog', 1, 'json', 50_000);
    const { meta, storedBytes } = await cache.set('https://example.test/catalog.json', bytes);
    const record = await readRecord('https://example.test/catalog.json');
    assert.equal(record.v, 1);
    assert.equal(record.compression, 'deflate');
    assert.equal(record.meta.sha256, meta.sha256);
    const blob = await readFile(blobPath(meta.sha256));
    assert.equal(blob.byteLength, storedBytes);
    assert.deepEqual((await cache.get('https://example.test/catalog.json'))?.bytes, bytes);
  });

  it('stores data that deflate cannot shrink (a zip package) raw', async () => {
    const cache = await open({ inlineMaxBytes: 0 }); // blobs only: the layout is what is checked
    const files = new Map([['notes.md', makePayload('notes', 1, 'random', 200_000)]]);
    const zip = writePackage(
      { id: 'adr', name: 'ADR', version: '1.0.0', description: 'd', category: 'docs', tags: [], author: 'me', targetFolder: 'docs', variables: [] },
      files,
    );
    const { meta, storedBytes } = await cache.set('pkg', zip);
    assert.equal((await readRecord('pkg')).compression, 'none');
    assert.equal(storedBytes, zip.byteLength);
    assert.deepEqual(new Uint8Array(await readFile(blobPath(meta.sha256))), zip, 'the blob is the zip, byte for byte');
    assert.deepEqual((await cache.get('pkg'))?.bytes, zip);

    const small = makePayload('small', 1, 'random', 1000);
    await cache.set('small', small);
    assert.equal((await readRecord('small')).compression, 'none', 'below the sampling threshold too');
    assert.deepEqual((await cache.get('small'))?.bytes, small);
  });

  it('stores each key in its own record by default, and identical content under two blob keys once', async () => {
    const inRecords = await open({ dir: join(dir.path, 'records') });
    const shared = makePayload('shared', 1, 'json', 20_000);
    await inRecords.set('one', shared);
    await inRecords.set('two', shared);
    assert.deepEqual({ ...(await inRecords.stats()), bytes: 0 }, { entries: 2, blobs: 0, bytes: 0 });
    await inRecords.close();

    const cache = await open({ inlineMaxBytes: 0 }); // blobs: what is shared
    const bytes = makePayload('shared', 1, 'json', 20_000);
    await cache.set('one', bytes);
    await cache.set('two', bytes);
    const stats = await cache.stats();
    assert.equal(stats.entries, 2);
    assert.equal(stats.blobs, 1);

    await cache.delete('one');
    clock.advance(10 * 60_000);
    await cache.gc();
    assert.deepEqual((await cache.get('two', { allowStale: true }))?.bytes, bytes, 'the blob outlives one of its keys');
    assert.equal(await cache.get('one'), undefined);

    await cache.delete('two');
    const swept = await cache.gc();
    assert.equal(swept.removedBlobs, 1, 'and goes once no key names it');
    assert.deepEqual(await cache.stats(), { entries: 0, blobs: 0, bytes: 0 });
  });

  it('misses an expired entry unless allowStale, which flags it stale', async () => {
    const cache = await open();
    const bytes = makePayload('a', 1, 'json', 1000);
    await cache.set('a', bytes, { ttlMs: 1000 });
    clock.advance(1000);
    assert.equal((await cache.get('a'))?.stale, false, 'fresh up to and including expiresAt');
    clock.advance(1);
    assert.equal(await cache.get('a'), undefined);
    const stale = await cache.get('a', { allowStale: true });
    assert.equal(stale?.stale, true);
    assert.deepEqual(stale?.bytes, bytes);
    assert.ok(await cache.get('a', { allowStale: true }), 'a miss on an expired entry does not delete it');
  });

  it('refresh gives a stored value a new expiry and validators without touching its blob', async () => {
    const cache = await open({ inlineMaxBytes: 0 });
    const bytes = makePayload('a', 1, 'json', 3000);
    const { meta } = await cache.set('a', bytes, { ttlMs: 1000, etag: '"old"', lastModified: 'yesterday' });
    const blobBefore = await stat(blobPath(meta.sha256));
    clock.advance(5000);
    assert.equal(await cache.get('a'), undefined);

    const refreshed = await cache.refresh('a', { ttlMs: 2000, etag: '"new"' });
    assert.deepEqual(refreshed, { sha256: meta.sha256, size: 3000, storedAt: clock.now(), expiresAt: clock.now() + 2000, etag: '"new"', lastModified: 'yesterday' });
    assert.deepEqual(await cache.get('a'), { bytes, meta: refreshed, stale: false });
    const blobAfter = await stat(blobPath(meta.sha256));
    assert.equal(blobAfter.mtimeMs, blobBefore.mtimeMs);
    assert.equal(blobAfter.ino, blobBefore.ino);

    assert.equal(await cache.refresh('missing', {}), undefined);
    await rm(blobPath(meta.sha256));
    assert.equal(await cache.refresh('a', {}), undefined, 'nothing to refresh when the bytes are gone');
  });

  it('evicts least recently used entries (recency = record mtime, bumped on hits) to stay within maxBytes', async () => {
    const sizes = new Map<string, number>();
    const probe = await open({ dir: join(dir.path, 'probe'), inlineMaxBytes: 0 });
    for (const key of ['a', 'b', 'c', 'd']) {
      await probe.set(key, makePayload(key, 1, 'random', 4000));
      sizes.set(key, (await probe.stats()).bytes - [...sizes.values()].reduce((x, y) => x + y, 0));
    }
    const threeEntries = (sizes.get('a') ?? 0) * 3 + 100;

    const cache = await open({ maxBytes: threeEntries, recencyResolutionMs: 5, inlineMaxBytes: 0 });
    for (const key of ['a', 'b', 'c']) {
      await cache.set(key, makePayload(key, 1, 'random', 4000));
      clock.advance(10);
    }
    assert.ok(await cache.get('a'), 'a is now more recent than b');
    clock.advance(10);
    await cache.set('d', makePayload('d', 1, 'random', 4000));

    assert.equal(await cache.get('b'), undefined, 'b was the least recently used');
    for (const key of ['a', 'c', 'd']) assert.ok(await cache.get(key), key);
    const stats = await cache.stats();
    assert.equal(stats.entries, 3);
    assert.equal(stats.blobs, 3, 'the evicted key took its blob along');
    assert.ok(stats.bytes <= threeEntries);
  });

  it('does not store a value larger than maxBytes, and drops the outdated one', async () => {
    const cache = await open({ maxBytes: 10_000 });
    await cache.set('keep', makePayload('keep', 1, 'random', 2000));
    await cache.set('big', makePayload('big', 1, 'random', 2000));
    const result = await cache.set('big', makePayload('big', 2, 'random', 20_000));
    assert.equal(result.storedBytes, 0);
    assert.equal(result.rawBytes, 20_000);
    assert.equal(await cache.get('big', { allowStale: true }), undefined);
    assert.ok(await cache.get('keep'), 'nothing was evicted for it');
  });

  it('deletes and clears', async () => {
    const cache = await open();
    for (const key of ['a', 'b', 'c']) await cache.set(key, makePayload(key, 1, 'json', 500));
    await cache.delete('a');
    await cache.delete('never-stored');
    assert.equal(await cache.get('a'), undefined);
    assert.ok(await cache.get('b'));
    await cache.clear();
    assert.equal(await cache.get('b'), undefined);
    assert.deepEqual(await cache.stats(), { entries: 0, blobs: 0, bytes: 0 });
    await cache.set('d', makePayload('d', 1, 'json', 500));
    assert.ok(await cache.get('d'), 'usable after clear');
  });

  it('treats a folder wiped underneath as empty and recreates it on the next write', async () => {
    const cache = await open();
    await cache.set('a', makePayload('a', 1, 'json', 500));
    await rm(dir.path, { recursive: true, force: true });
    assert.equal(await cache.get('a'), undefined);
    assert.deepEqual(await cache.stats(), { entries: 0, blobs: 0, bytes: 0 });
    assert.deepEqual(await cache.gc(), { removedEntries: 0, removedBlobs: 0, freedBytes: 0 });
    const bytes = makePayload('a', 2, 'json', 500);
    await cache.set('a', bytes);
    assert.deepEqual((await cache.get('a'))?.bytes, bytes);
  });

  it('close waits for operations in flight and refuses new ones', async () => {
    const cache = await open();
    const pending = cache.set('a', makePayload('a', 1, 'json', 100_000));
    await cache.close();
    const written = await readRecord('a');
    assert.equal(written.key, 'a', 'the write finished before close resolved');
    await pending;
    await assert.rejects(cache.get('a'), AbortedError);
    await assert.rejects(cache.set('b', new Uint8Array(1)), AbortedError);
  });

  it('rejects options that would disable its bounds', async () => {
    await assert.rejects(open({ maxBytes: 0 }), FormatError);
    await assert.rejects(open({ dir: '' }), FormatError);
    await assert.rejects(open({ ttlMs: -1 }), FormatError);
    const cache = await open();
    await assert.rejects(cache.set('a', new Uint8Array(1), { ttlMs: Number.POSITIVE_INFINITY }), FormatError);
  });
});
