import assert from 'node:assert/strict';
import { mkdir, readFile, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { deflateSync, inflateSync } from 'fflate';
import { DiskCache, type DiskCacheOptions } from '../../../src/core/cache';
import { encodeBlob } from '../../../src/core/cache/blobCodec';
import { sha256Hex, utf8 } from '../../../src/core/format';
import { makePayload } from './fixtures/payload';
import { manualClock, tempDir } from './helpers';

const MINUTE = 60_000;

/** What the faster read and write paths changed: coarse recency, given digests, zips kept raw, zlib inflating fflate's blobs. */
describe('DiskCache hot paths', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let clock: ReturnType<typeof manualClock>;
  let corrupt: string[];
  const opened: DiskCache[] = [];

  async function open(overrides: Partial<DiskCacheOptions> = {}): Promise<DiskCache> {
    const cache = await DiskCache.open({ dir: dir.path, maxBytes: 10_000_000, ttlMs: 60 * MINUTE, now: clock.now, onCorrupt: (key) => corrupt.push(key), ...overrides });
    opened.push(cache);
    return cache;
  }

  const recordPath = (key: string): string => join(dir.path, 'keys', `${sha256Hex(utf8.encode(key))}.json`);
  const blobPath = (sha256: string): string => join(dir.path, 'blobs', sha256.slice(0, 2), sha256);
  const mtime = async (path: string): Promise<number> => Math.round((await stat(path)).mtimeMs);

  beforeEach(async () => {
    dir = await tempDir();
    clock = manualClock();
    corrupt = [];
  });

  afterEach(async () => {
    for (const cache of opened.splice(0)) await cache.close();
    await dir.dispose();
  });

  it('bumps recency on a hit only once it is older than recencyResolutionMs (no metadata write per read)', async () => {
    const cache = await open({ recencyResolutionMs: 10 * MINUTE });
    const stored = clock.now();
    await cache.set('a', makePayload('a', 1, 'random', 3000));
    assert.equal(await mtime(recordPath('a')), stored, 'an injected clock stamps the write');
    clock.advance(10 * MINUTE);
    assert.ok(await cache.get('a'));
    assert.equal(await mtime(recordPath('a')), stored, 'still recent enough: not touched');
    clock.advance(1);
    assert.ok(await cache.get('a'));
    assert.equal(await mtime(recordPath('a')), clock.now(), 'older than the resolution: bumped');
  });

  it('looks at recency at most once per key and resolution period, and honours a bump another window made', async () => {
    const cache = await open({ recencyResolutionMs: 10 * MINUTE });
    const stored = clock.now();
    await cache.set('a', makePayload('a', 1, 'random', 3000));
    await cache.set('b', makePayload('b', 1, 'random', 3000));
    clock.advance(30 * MINUTE);
    assert.ok(await cache.get('a'));
    assert.equal(await mtime(recordPath('a')), clock.now(), 'old: bumped on the first hit');
    // Set back by hand: a hit within the resolution neither looks nor writes again.
    await utimes(recordPath('a'), new Date(stored), new Date(stored));
    clock.advance(5 * MINUTE);
    assert.ok(await cache.get('a'));
    assert.equal(await mtime(recordPath('a')), stored, 'this process bumped it 5 minutes ago: left alone');
    clock.advance(5 * MINUTE + 1);
    assert.ok(await cache.get('a'));
    assert.equal(await mtime(recordPath('a')), clock.now(), 'a resolution period later: looked at, old, bumped');

    // Another window bumped b a minute ago: this one's hit sees that and does not write.
    const otherWindow = clock.now() - MINUTE;
    await utimes(recordPath('b'), new Date(otherWindow), new Date(otherWindow));
    assert.ok(await cache.get('b'));
    assert.equal(await mtime(recordPath('b')), otherWindow, 'recent enough already: not bumped');
  });

  it('reads a record whose header is longer than its size suggests (an etag, a long key), and refetches a torn one read by size', async () => {
    const cache = await open();
    const bytes = makePayload('pkg', 1, 'random', 4000);
    const longKey = `pkg:${'k'.repeat(600)}`;
    const etag = `"${'e'.repeat(900)}"`;
    const { meta } = await cache.set(longKey, bytes, { etag });
    const hint = { sha256: meta.sha256, size: bytes.byteLength };
    const hit = await cache.get(longKey, hint);
    assert.deepEqual(hit?.bytes, bytes, 'read on past the expected length');
    assert.equal(hit?.meta.etag, etag);
    assert.deepEqual((await cache.get(longKey, { ...hint, size: 10 }))?.bytes, bytes, 'a size hint far too small only costs more reads');

    await cache.set('torn', bytes, { sha256: meta.sha256 });
    await truncate(recordPath('torn'), (await stat(recordPath('torn'))).size - 1);
    assert.equal(await cache.get('torn', hint), undefined, 'one byte short: a miss, never served');
    assert.deepEqual(corrupt, ['torn']);
    await assert.rejects(stat(recordPath('torn')), { code: 'ENOENT' }, 'dropped, so the next read refetches');
    await cache.set('torn', bytes, { sha256: meta.sha256 });
    assert.deepEqual((await cache.get('torn', hint))?.bytes, bytes, 'stored again after the refetch');

    await cache.set('grown', bytes, { sha256: meta.sha256 });
    await writeFile(recordPath('grown'), Buffer.concat([await readFile(recordPath('grown')), Buffer.from('trailing bytes')]));
    assert.equal(await cache.get('grown', hint), undefined, 'bytes past the value fail the check too');
    assert.deepEqual(corrupt, ['torn', 'grown']);
  });

  it('lists its records for a batch: a key not listed is a miss without a read, a listed one is read and checked as ever', async () => {
    const cache = await open();
    const bytes = makePayload('pkg', 1, 'random', 2000);
    await cache.set('a', bytes);
    await cache.set('b', bytes);
    const listed = await cache.listRecords(10);
    assert.deepEqual([...listed!.names].sort(), [basename(recordPath('a')), basename(recordPath('b'))].sort());
    assert.deepEqual((await cache.get('a', { listed }))?.bytes, bytes);
    await cache.set('c', bytes);
    assert.equal(await cache.get('c', { listed }), undefined, 'written after the listing: unseen (fetched again by the caller)');
    assert.deepEqual((await cache.get('c'))?.bytes, bytes, 'without the listing it is there');

    await writeFile(recordPath('b'), 'not a record');
    assert.equal(await cache.get('b', { listed }), undefined, 'listed but corrupt: still checked, dropped');
    assert.deepEqual(corrupt, ['b']);

    // a and c are left.
    assert.equal(await cache.listRecords(1), undefined, 'more records than asked for: no listing');
    assert.equal((await cache.listRecords(2))?.names.size, 2);
    await cache.close();
    assert.equal(await cache.listRecords(10), undefined, 'closed: no listing');
  });

  it('on the real clock, writes leave file times to the file system', async () => {
    const before = Date.now();
    const cache = await DiskCache.open({ dir: dir.path, maxBytes: 10_000_000, ttlMs: MINUTE, inlineMaxBytes: 16 * 1024 });
    opened.push(cache);
    const { meta } = await cache.set('a', makePayload('a', 1, 'random', 30_000)); // over inlineMaxBytes: record and blob
    for (const path of [recordPath('a'), blobPath(meta.sha256)]) {
      const time = await mtime(path);
      assert.ok(time >= before - 2000 && time <= Date.now() + 2000, `${path}: ${time}`);
    }
  });

  it('takes a well-formed digest from the caller, and a wrong one only costs a miss (the read still checks)', async () => {
    const cache = await open();
    const bytes = makePayload('pkg', 1, 'random', 5000);
    const right = await cache.set('right', bytes, { sha256: sha256Hex(bytes) });
    assert.equal(right.meta.sha256, sha256Hex(bytes));
    assert.deepEqual((await cache.get('right'))?.bytes, bytes);

    const lie = sha256Hex(utf8.encode('something else'));
    await cache.set('wrong', bytes, { sha256: lie });
    assert.equal(await cache.get('wrong'), undefined, 'bytes that do not match their recorded digest are never served');
    assert.deepEqual(corrupt, ['wrong']);

    const odd = await cache.set('odd', bytes, { sha256: '../../escape' });
    assert.equal(odd.meta.sha256, sha256Hex(bytes), 'not a digest: ignored, never used as a file name');
  });

  it('reads with a digest hint, and honours the record when the hint names other bytes', async () => {
    const cache = await open();
    const bytes = makePayload('pkg', 1, 'random', 5000);
    await cache.set('k', bytes);
    assert.deepEqual((await cache.get('k', { sha256: sha256Hex(bytes) }))?.bytes, bytes);
    assert.deepEqual((await cache.get('k', { sha256: sha256Hex(utf8.encode('other')) }))?.bytes, bytes);
    assert.deepEqual((await cache.get('k', { sha256: 'not-hex' }))?.bytes, bytes);
    assert.equal(await cache.get('missing', { sha256: sha256Hex(bytes) }), undefined);
  });

  it('stores a zip raw on sight of its signature, however well it would deflate', () => {
    const zipLike = new Uint8Array(200_000);
    zipLike.set([0x50, 0x4b, 0x03, 0x04]);
    assert.equal(encodeBlob(zipLike).compression, 'none');
    const notZip = new Uint8Array(200_000);
    assert.equal(encodeBlob(notZip).compression, 'deflate');
  });

  it('deflates in the raw DEFLATE format fflate reads (entries of earlier releases and later ones stay interchangeable)', async () => {
    const json = utf8.encode(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: `t${i}`, tags: ['a', `b${i % 7}`] }))));
    const blob = encodeBlob(json);
    assert.equal(blob.compression, 'deflate');
    assert.deepEqual(inflateSync(blob.data), json);
    // And a blob fflate deflated (an earlier release) is still read back.
    const cache = await open({ inlineMaxBytes: 0 });
    const { meta } = await cache.set('catalog', json);
    await writeFile(blobPath(meta.sha256), deflateSync(json));
    assert.deepEqual((await cache.get('catalog'))?.bytes, json);
  });

  it('rewrites a blob a crash left truncated when the same content is stored again', async () => {
    const cache = await open({ inlineMaxBytes: 0 });
    const bytes = makePayload('pkg', 1, 'random', 20_000);
    const { meta } = await cache.set('k', bytes);
    await truncate(blobPath(meta.sha256), 10);
    await cache.set('k', bytes);
    assert.deepEqual((await cache.get('k'))?.bytes, bytes);
  });

  it('rewrites a record holding a large value that a crash left truncated when it is stored again', async () => {
    const cache = await open();
    const bytes = makePayload('pkg', 1, 'random', 1024 * 1024);
    await cache.set('k', bytes);
    await truncate(recordPath('k'), 300_000);
    await cache.set('k', bytes);
    assert.deepEqual((await cache.get('k'))?.bytes, bytes);
    assert.deepEqual(corrupt, [], 'replaced whole before any read saw the torn file');
  });

  it('keeps a value in its record: one file written and read, no blob', async () => {
    const cache = await open();
    const small = makePayload('pkg', 1, 'random', 4000);
    const { meta } = await cache.set('small', small);
    await assert.rejects(stat(blobPath(meta.sha256)), { code: 'ENOENT' });
    const file = await readFile(recordPath('small'));
    const newline = file.indexOf(0x0a);
    assert.equal((JSON.parse(file.subarray(0, newline).toString('utf8')) as { v: number }).v, 2);
    assert.deepEqual(new Uint8Array(file.subarray(newline + 1)), small, 'the value follows its header, raw');
    const hit = await cache.get('small', { sha256: meta.sha256, size: small.byteLength });
    assert.deepEqual(hit?.bytes, small);
    assert.equal(hit?.bytes.byteOffset, newline + 1, 'served as a view of the file read, not a copy of the value');
    // Read with its size known: into a buffer sized from it, the header's length estimated.
    const slack = hit!.bytes.buffer.byteLength - file.byteLength;
    assert.ok(slack >= 0 && slack <= 64, `the buffer holds the file and little more (${slack} bytes)`);
    assert.deepEqual(await cache.stats(), { entries: 1, blobs: 0, bytes: file.byteLength });

    const big = makePayload('big', 1, 'random', 1024 * 1024);
    const stored = await cache.set('big', big);
    await assert.rejects(stat(blobPath(stored.meta.sha256)), { code: 'ENOENT' });
    const bigFile = await readFile(recordPath('big'));
    assert.deepEqual(new Uint8Array(bigFile.subarray(bigFile.indexOf(0x0a) + 1)), big, 'a 1 MB value in its record too');
    assert.deepEqual((await cache.get('big', { sha256: stored.meta.sha256, size: big.byteLength }))?.bytes, big);
    assert.deepEqual(await cache.stats(), { entries: 2, blobs: 0, bytes: file.byteLength + bigFile.byteLength });

    const capped = await open({ dir: join(dir.path, 'capped'), inlineMaxBytes: 16 * 1024 });
    const over = await capped.set('big', makePayload('big', 1, 'random', 16 * 1024 + 1));
    assert.ok((await stat(join(dir.path, 'capped', 'blobs', over.meta.sha256.slice(0, 2), over.meta.sha256))).isFile(), 'over a set inlineMaxBytes: a blob as before');
  });

  it('gc and eviction read record headers only, count values in records at their full size, and keep and collect older blob entries', async () => {
    const writer = await open({ maxBytes: 100_000_000, inlineMaxBytes: 0 }); // an earlier release: v1 record + blob
    const cache = await open({ maxBytes: 100_000_000 });
    const first = makePayload('first', 1, 'random', 1024 * 1024);
    const old = makePayload('old', 1, 'random', 200_000);
    const last = makePayload('last', 1, 'random', 1024 * 1024);
    await cache.set('first', first);
    clock.advance(1000);
    const oldMeta = (await writer.set('old', old)).meta;
    clock.advance(1000);
    await cache.set('last', last);
    // A value damaged after its header: gc reads only headers, so it keeps the entry; the read catches it.
    const lastFile = await readFile(recordPath('last'));
    lastFile[lastFile.byteLength - 1] = lastFile[lastFile.byteLength - 1]! ^ 0xff;
    await writeFile(recordPath('last'), lastFile);
    clock.advance(2 * MINUTE); // the blob is past gc's grace period
    assert.deepEqual(await cache.gc(), { removedEntries: 0, removedBlobs: 0, freedBytes: 0 }, 'headers parse, the old record still names its blob');
    assert.equal(await cache.get('last'), undefined);
    assert.deepEqual(corrupt, ['last']);
    await cache.set('last', last);

    const oldBlob = (await stat(blobPath(oldMeta.sha256))).size;
    const sizes = { first: (await stat(recordPath('first'))).size, old: (await stat(recordPath('old'))).size + oldBlob, last: (await stat(recordPath('last'))).size };
    assert.ok(sizes.first > 1024 * 1024, 'a record counts its value');
    assert.deepEqual(await cache.stats(), { entries: 3, blobs: 1, bytes: sizes.first + sizes.old + sizes.last });
    // One byte over budget: the least recently used entry goes, counted at its whole file's size.
    const tight = await open({ maxBytes: sizes.old + sizes.last + 1 });
    assert.deepEqual(await tight.gc(), { removedEntries: 1, removedBlobs: 0, freedBytes: sizes.first });
    assert.equal(await cache.get('first'), undefined);
    assert.deepEqual((await cache.get('old'))?.bytes, old, 'an entry an earlier release wrote is still read from its blob');

    await cache.delete('old');
    assert.deepEqual(await cache.gc(), { removedEntries: 0, removedBlobs: 1, freedBytes: oldBlob }, 'its blob goes once no record names it');
  });

  it('drops a value in its record when it is truncated or its bytes changed, and reads a miss (refetch)', async () => {
    const cache = await open();
    await cache.set('cut', makePayload('cut', 1, 'random', 4000));
    await truncate(recordPath('cut'), (await stat(recordPath('cut'))).size - 10);
    await cache.set('flip', makePayload('flip', 1, 'json', 6000));
    const file = await readFile(recordPath('flip'));
    file[file.byteLength - 5] = file[file.byteLength - 5]! ^ 0xff;
    await writeFile(recordPath('flip'), file);
    assert.equal(await cache.get('cut'), undefined);
    assert.equal(await cache.get('flip'), undefined);
    assert.deepEqual(corrupt.sort(), ['cut', 'flip']);
    assert.deepEqual(await cache.stats(), { entries: 0, blobs: 0, bytes: 0 }, 'both dropped');
  });

  it('refreshes, evicts and sweeps values kept in their records like any other entry', async () => {
    const cache = await open({ recencyResolutionMs: 0 });
    const bytes = makePayload('a', 1, 'json', 3000);
    await cache.set('a', bytes, { ttlMs: 1000, etag: '"1"' });
    clock.advance(2000);
    const meta = await cache.refresh('a', { ttlMs: 5000, etag: '"2"' });
    assert.equal(meta?.etag, '"2"');
    const hit = await cache.get('a');
    assert.deepEqual(hit?.bytes, bytes, 'the value survives the new header');
    assert.equal(hit?.stale, false);

    await cache.set('old', makePayload('old', 1, 'random', 3000), { ttlMs: 1000 });
    clock.advance(8 * 24 * 60 * MINUTE); // past keepStaleMs (7 days) for both
    await cache.set('fresh', makePayload('fresh', 1, 'random', 3000));
    const swept = await cache.gc();
    assert.equal(swept.removedEntries, 2, 'the two long-expired entries');
    assert.deepEqual((await cache.stats()).entries, 1);

    // A budget for two: the least recently used value in its record is evicted.
    const size = (await cache.stats()).bytes;
    const small = await open({ dir: join(dir.path, 'small'), maxBytes: size * 2 + 10, recencyResolutionMs: 0 });
    for (const key of ['x', 'y']) {
      await small.set(key, makePayload('fresh', 1, 'random', 3000));
      clock.advance(10);
    }
    assert.ok(await small.get('x'));
    clock.advance(10);
    await small.set('z', makePayload('fresh', 1, 'random', 3000));
    assert.equal(await small.get('y'), undefined, 'y was the least recently used');
    assert.ok(await small.get('x'));
    assert.ok(await small.get('z'));
  });

  it('reads entries an earlier version wrote (fflate-deflated blob, v1 record), and refetches a corrupt one', async () => {
    // Written by hand exactly as the previous release did, so the format stays readable.
    const bytes = makePayload('catalog', 1, 'json', 40_000);
    const sha256 = sha256Hex(bytes);
    const blob = deflateSync(bytes);
    await mkdir(join(dir.path, 'blobs', sha256.slice(0, 2)), { recursive: true });
    await mkdir(join(dir.path, 'keys'), { recursive: true });
    await writeFile(blobPath(sha256), blob);
    const meta = { sha256, size: bytes.byteLength, storedAt: clock.now(), expiresAt: clock.now() + MINUTE };
    await writeFile(recordPath('old'), JSON.stringify({ v: 1, key: 'old', compression: 'deflate', meta }));
    await utimes(recordPath('old'), new Date(clock.now()), new Date(clock.now()));
    const cache = await open();
    assert.deepEqual((await cache.get('old'))?.bytes, bytes, 'node:zlib inflates what fflate deflated');

    // The same record over a blob whose stream was damaged: a miss (refetched), never a crash.
    const damaged = Uint8Array.from(blob);
    damaged.fill(0xff, 100, 140);
    await writeFile(blobPath(sha256), damaged);
    assert.equal(await cache.get('old'), undefined);
    assert.deepEqual(corrupt, ['old']);
    await assert.rejects(readFile(recordPath('old')), { code: 'ENOENT' }, 'the corrupt entry is dropped, so the next read refetches');
  });
});
