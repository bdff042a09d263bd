import assert from 'node:assert/strict';
import { access, open as open_, readdir, readFile, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DiskCache, type DiskCacheOptions } from '../../../src/core/cache';
import { sha256Hex, utf8 } from '../../../src/core/format';
import { makePayload } from './fixtures/payload';
import { manualClock, tempDir } from './helpers';

const MINUTE = 60_000;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function setMtime(path: string, ms: number): Promise<void> {
  await utimes(path, new Date(ms), new Date(ms));
}

describe('DiskCache corruption, interrupted writes and gc', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let clock: ReturnType<typeof manualClock>;
  let corrupt: { key: string; reason: string }[];
  let cache: DiskCache;

  async function open(overrides: Partial<DiskCacheOptions> = {}): Promise<DiskCache> {
    return DiskCache.open({
      dir: dir.path,
      maxBytes: 10_000_000,
      ttlMs: MINUTE,
      now: clock.now,
      onCorrupt: (key, reason) => corrupt.push({ key, reason }),
      // Blobs and records apart, whatever the value's size: this file is about their failures
      // (values kept in their records: diskHotPath.test.ts).
      inlineMaxBytes: 0,
      ...overrides,
    });
  }

  const recordName = (key: string): string => `${sha256Hex(utf8.encode(key))}.json`;
  const recordPath = (key: string): string => join(dir.path, 'keys', recordName(key));
  const blobPath = (sha256: string): string => join(dir.path, 'blobs', sha256.slice(0, 2), sha256);

  beforeEach(async () => {
    dir = await tempDir();
    clock = manualClock();
    corrupt = [];
    cache = await open();
  });

  afterEach(async () => {
    await cache.close();
    await dir.dispose();
  });

  it('drops a truncated compressed blob, reports it, and reads a miss', async () => {
    const { meta } = await cache.set('a', makePayload('a', 1, 'json', 20_000));
    await truncate(blobPath(meta.sha256), 100);
    assert.equal(await cache.get('a'), undefined);
    assert.equal(corrupt.length, 1);
    assert.equal(corrupt[0]?.key, 'a');
    assert.match(corrupt[0]?.reason ?? '', /inflate|bytes/);
    assert.equal(await exists(blobPath(meta.sha256)), false, 'the bad blob is gone');
    assert.equal(await exists(recordPath('a')), false, 'and so is its record');

    const again = makePayload('a', 2, 'json', 20_000);
    await cache.set('a', again);
    assert.deepEqual((await cache.get('a'))?.bytes, again, 'the refetched value is stored normally');
  });

  it('drops a raw blob whose bytes no longer match the digest', async () => {
    const bytes = makePayload('a', 1, 'random', 5000);
    const { meta } = await cache.set('a', bytes);
    const flipped = Buffer.from(bytes);
    flipped[4000] = (flipped[4000] ?? 0) ^ 0xff;
    await writeFile(blobPath(meta.sha256), flipped);
    assert.equal(await cache.get('a'), undefined);
    assert.match(corrupt[0]?.reason ?? '', /SHA-256/);
    assert.equal(await exists(blobPath(meta.sha256)), false);
  });

  it('never inflates on the word of a record that claims an impossible size', async () => {
    const { meta } = await cache.set('a', makePayload('a', 1, 'json', 20_000));
    const record = JSON.parse(await readFile(recordPath('a'), 'utf8')) as { meta: { size: number } };
    record.meta.size = 2 ** 40;
    await writeFile(recordPath('a'), JSON.stringify(record));
    assert.equal(await cache.get('a'), undefined);
    assert.match(corrupt[0]?.reason ?? '', /too small for its recorded size/);
    assert.equal(await exists(blobPath(meta.sha256)), false);
  });

  for (const [name, content] of [
    ['unparsable', '{"v":1,"key":"a",'],
    ['of an unknown version', '{"v":2,"key":"a","compression":"none","meta":{}}'],
    ['with a malformed digest', `{"v":1,"key":"a","compression":"none","meta":{"sha256":"xyz","size":1,"storedAt":0,"expiresAt":0}}`],
    ['with an unknown compression', `{"v":1,"key":"a","compression":"zstd","meta":{"sha256":"${'0'.repeat(64)}","size":1,"storedAt":0,"expiresAt":0}}`],
  ] as const) {
    it(`drops a record ${name}`, async () => {
      await cache.set('a', makePayload('a', 1, 'json', 1000));
      await writeFile(recordPath('a'), content);
      assert.equal(await cache.get('a', { allowStale: true }), undefined);
      assert.deepEqual(
        corrupt.map((c) => c.key),
        ['a'],
      );
      assert.equal(await exists(recordPath('a')), false);
    });
  }

  it('drops a record found under another key’s name', async () => {
    await cache.set('a', makePayload('a', 1, 'json', 1000));
    await cache.set('b', makePayload('b', 1, 'json', 1000));
    await writeFile(recordPath('b'), await readFile(recordPath('a')));
    assert.equal(await cache.get('b'), undefined);
    assert.match(corrupt[0]?.reason ?? '', /another key/);
    assert.ok(await cache.get('a'), 'the genuine owner is unaffected');
  });

  it('a write with nothing to replace goes in place; every prefix a crash could leave of it is dropped as corrupt and refetched', async () => {
    for (const [label, size, inlineMaxBytes] of [['value in its record', 3_000, 16 * 1024], ['record naming a blob', 40_000, 0]] as const) {
      await cache.close();
      cache = await open({ inlineMaxBytes });
      const value = makePayload(label, 1, 'random', size);
      await cache.set(label, value);
      const whole = await readFile(recordPath(label));
      assert.deepEqual((await readdir(join(dir.path, 'keys'))).filter((n) => n.endsWith('.tmp')), [], 'no temp file, no rename');
      for (const cut of [0, 1, 20, whole.indexOf(0x0a), whole.indexOf(0x0a) + 1, whole.byteLength - 1]) {
        if (cut < 0) continue; // a v1 record has no newline
        corrupt = [];
        await writeFile(recordPath(label), whole.subarray(0, cut));
        assert.equal(await cache.get(label), undefined, `${label}, cut at ${cut}: a miss`);
        assert.equal(corrupt.length, 1, `${label}, cut at ${cut}: reported`);
        assert.equal(await exists(recordPath(label)), false, `${label}, cut at ${cut}: dropped`);
        await cache.set(label, value);
        assert.deepEqual((await cache.get(label))?.bytes, value, `${label}, cut at ${cut}: stored again`);
      }
    }
  });

  it('a blob torn by a crash before its record was written is replaced by the next store of it, not trusted', async () => {
    const value = makePayload('b', 1, 'random', 40_000);
    const { meta } = await cache.set('b', value);
    const whole = await readFile(blobPath(meta.sha256));
    await unlink(recordPath('b'));
    await writeFile(blobPath(meta.sha256), whole.subarray(0, 1000));
    await cache.set('b', value);
    assert.deepEqual((await cache.get('b'))?.bytes, value);
    assert.deepEqual(corrupt, []);
  });

  it('a write over an existing entry still replaces it whole (a new file renamed over it), so a reader holds the old or the new', async () => {
    await cache.set('c', makePayload('c', 1, 'random', 3_000));
    const before = await readFile(recordPath('c'));
    const reader = await open_(recordPath('c'), 'r');
    try {
      await cache.set('c', makePayload('c', 2, 'random', 3_000));
      const held = Buffer.alloc(before.byteLength);
      await reader.read(held, 0, held.byteLength, 0);
      assert.deepEqual(held, before, 'the file a reader had open still holds the old entry, untouched');
    } finally {
      await reader.close();
    }
    assert.deepEqual((await cache.get('c'))?.bytes, makePayload('c', 2, 'random', 3_000));
  });

  it('an interrupted write leaves the existing entry intact, and gc sweeps its old temp files only', async () => {
    const bytes = makePayload('a', 1, 'json', 20_000);
    const { meta } = await cache.set('a', bytes);
    // What a process killed mid-write leaves behind: partial temp files next to their targets.
    const staleTemps = [`${recordPath('a')}.999-aaaaaa.tmp`, `${blobPath(meta.sha256)}.999-bbbbbb.tmp`];
    const youngTemp = `${recordPath('a')}.999-cccccc.tmp`;
    const partial = '{"v":1,"key":"a","comp';
    for (const temp of [...staleTemps, youngTemp]) await writeFile(temp, partial);
    for (const temp of staleTemps) await setMtime(temp, clock.now() - 2 * MINUTE);
    await setMtime(youngTemp, clock.now() - 10_000);

    assert.deepEqual((await cache.get('a'))?.bytes, bytes);
    const swept = await cache.gc();
    assert.equal(swept.freedBytes, 2 * partial.length);
    for (const temp of staleTemps) assert.equal(await exists(temp), false, temp);
    assert.equal(await exists(youngTemp), true, 'a write that may still be running is left alone');
    assert.deepEqual((await cache.get('a'))?.bytes, bytes);
    assert.deepEqual(corrupt, []);
  });

  it('gc removes long-expired entries but keeps recently expired ones as offline fallback', async () => {
    await cache.close();
    cache = await open({ keepStaleMs: 10 * MINUTE });
    await cache.set('old', makePayload('old', 1, 'json', 1000), { ttlMs: MINUTE });
    clock.advance(5 * MINUTE);
    await cache.set('recent', makePayload('recent', 1, 'json', 1000), { ttlMs: MINUTE });
    clock.advance(8 * MINUTE); // old: expired 12 min ago, recent: 7 min ago

    const swept = await cache.gc();
    assert.equal(swept.removedEntries, 1);
    assert.equal(swept.removedBlobs, 1, 'the blob only it named goes too (it is past the grace period)');
    assert.equal(await cache.get('old', { allowStale: true }), undefined);
    assert.equal((await cache.get('recent', { allowStale: true }))?.stale, true);
  });

  it('gc removes old orphan blobs, dangling and unreadable records, and spares blobs being written', async () => {
    const { meta: orphanMeta } = await cache.set('orphan', makePayload('orphan', 1, 'json', 1000));
    await cache.delete('orphan');
    const { meta: danglingMeta } = await cache.set('dangling', makePayload('dangling', 1, 'json', 1000));
    await writeFile(recordPath('garbage'), 'not json');
    clock.advance(2 * MINUTE);
    await cache.set('fresh-orphan', makePayload('fresh-orphan', 1, 'json', 1000));
    const freshOrphan = (JSON.parse(await readFile(recordPath('fresh-orphan'), 'utf8')) as { meta: { sha256: string } }).meta.sha256;
    await cache.delete('fresh-orphan');
    await unlink(blobPath(danglingMeta.sha256));

    const swept = await cache.gc();
    assert.deepEqual({ entries: swept.removedEntries, blobs: swept.removedBlobs }, { entries: 2, blobs: 1 });
    assert.equal(await exists(blobPath(orphanMeta.sha256)), false);
    assert.equal(await exists(recordPath('dangling')), false);
    assert.equal(await exists(recordPath('garbage')), false);
    assert.deepEqual(corrupt, [{ key: recordName('garbage'), reason: `${recordPath('garbage')}: record is not valid JSON` }]);
    assert.equal(await exists(blobPath(freshOrphan)), true, 'a blob younger than a minute may be about to get its record');
    const stats = await cache.stats();
    assert.deepEqual({ entries: stats.entries, blobs: stats.blobs }, { entries: 0, blobs: 1 });
  });

  it('gc trims the store to maxBytes when the budget shrank', async () => {
    for (let i = 0; i < 10; i++) {
      await cache.set(`k${i}`, makePayload(`k${i}`, 1, 'random', 3000));
      clock.advance(1000);
    }
    const full = await cache.stats();
    await cache.close();
    cache = await open({ maxBytes: Math.floor(full.bytes / 2) });
    const swept = await cache.gc();
    const after = await cache.stats();
    assert.ok(after.bytes <= full.bytes / 2, `${after.bytes} <= ${full.bytes / 2}`);
    assert.equal(swept.removedEntries, 10 - after.entries);
    assert.equal(swept.freedBytes, full.bytes - after.bytes);
    for (let i = 0; i < 10; i++) {
      const kept = (await cache.get(`k${i}`)) !== undefined;
      assert.equal(kept, i >= 10 - after.entries, `the most recent entries survive (k${i})`);
    }
    assert.deepEqual((await readdir(join(dir.path, 'keys'))).length, after.entries);
  });
});
