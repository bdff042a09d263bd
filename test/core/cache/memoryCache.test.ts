import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryCache, type EntryMeta } from '../../../src/core/cache';
import { FormatError } from '../../../src/core/errors';
import { sha256Hex } from '../../../src/core/format';
import { manualClock } from './helpers';

function bytesOf(length: number, fill = 7): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

function metaFor(bytes: Uint8Array, now: number, ttlMs: number): EntryMeta {
  return { sha256: sha256Hex(bytes), size: bytes.byteLength, storedAt: now, expiresAt: now + ttlMs, etag: '"v1"' };
}

describe('MemoryCache', () => {
  it('returns what was set, fresh, and misses unknown keys', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 60_000, now: clock.now });
    const bytes = bytesOf(10);
    const meta = metaFor(bytes, clock.now(), 5000);
    cache.set('a', bytes, meta);
    const hit = cache.get('a');
    assert.deepEqual(hit, { bytes, meta, stale: false });
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual(cache.stats, { entries: 1, bytes: 10 });
  });

  it('is bounded by entry count, evicting the least recently used', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 2, maxBytes: 1000, ttlMs: 60_000, now: clock.now });
    for (const key of ['a', 'b']) cache.set(key, bytesOf(1), metaFor(bytesOf(1), clock.now(), 5000));
    assert.ok(cache.get('a')); // a is now more recent than b
    cache.set('c', bytesOf(1), metaFor(bytesOf(1), clock.now(), 5000));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a'));
    assert.ok(cache.get('c'));
    assert.equal(cache.stats.entries, 2);
  });

  it('without an entry cap, serves every re-read of a batch whose bytes fit (no LRU cliff on a cyclic scan)', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxBytes: 5000 * 500, ttlMs: 60_000, now: clock.now });
    const keys = Array.from({ length: 5000 }, (_, i) => `pkg:${i}`);
    for (const key of keys) cache.set(key, bytesOf(500), metaFor(bytesOf(500), clock.now(), 5000));
    let hits = 0;
    for (let round = 0; round < 2; round++) for (const key of keys) if (cache.get(key)) hits++;
    assert.equal(hits, 10_000);
    assert.deepEqual(cache.stats, { entries: 5000, bytes: 2_500_000 });
    // One byte over: the least recently used goes, and only it.
    cache.set('one-more', bytesOf(1), metaFor(bytesOf(1), clock.now(), 5000));
    assert.equal(cache.get(keys[0]!), undefined);
    assert.ok(cache.get(keys[1]!));
  });

  it('with an entry cap of 500, the same cyclic re-read of 1,000 serves nothing (why the cap is no longer the bound)', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 500, maxBytes: 64 * 1024 * 1024, ttlMs: 60_000, now: clock.now });
    const keys = Array.from({ length: 1000 }, (_, i) => `pkg:${i}`);
    for (const key of keys) cache.set(key, bytesOf(10), metaFor(bytesOf(10), clock.now(), 5000));
    let hits = 0;
    for (const key of keys) {
      if (cache.get(key)) hits++;
      else cache.set(key, bytesOf(10), metaFor(bytesOf(10), clock.now(), 5000)); // a read-through miss refills
    }
    assert.equal(hits, 0);
    assert.equal(cache.stats.entries, 500);
  });

  it('is bounded by total bytes', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 100, maxBytes: 100, ttlMs: 60_000, now: clock.now });
    for (const key of ['a', 'b', 'c']) cache.set(key, bytesOf(40), metaFor(bytesOf(40), clock.now(), 5000));
    assert.equal(cache.get('a'), undefined, 'the oldest entry made room');
    assert.ok(cache.get('b'));
    assert.ok(cache.get('c'));
    assert.deepEqual(cache.stats, { entries: 2, bytes: 80 });
  });

  it('does not cache a value larger than maxBytes, and drops the key it would have replaced', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 100, maxBytes: 100, ttlMs: 60_000, now: clock.now });
    cache.set('a', bytesOf(50), metaFor(bytesOf(50), clock.now(), 5000));
    cache.set('keep', bytesOf(20), metaFor(bytesOf(20), clock.now(), 5000));
    const huge = bytesOf(101);
    cache.set('a', huge, metaFor(huge, clock.now(), 5000));
    assert.equal(cache.get('a'), undefined, 'neither the huge value nor the outdated one is served');
    assert.ok(cache.get('keep'), 'nothing else was evicted for it');
    assert.deepEqual(cache.stats, { entries: 1, bytes: 20 });
  });

  it('serves an expired entry only with allowStale, flagged stale, and keeps it for later', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 60_000, now: clock.now });
    const bytes = bytesOf(8);
    cache.set('a', bytes, metaFor(bytes, clock.now(), 1000));
    clock.advance(1000);
    assert.equal(cache.get('a')?.stale, false, 'fresh up to and including expiresAt');
    clock.advance(1);
    assert.equal(cache.get('a'), undefined);
    const stale = cache.get('a', { allowStale: true });
    assert.equal(stale?.stale, true);
    assert.equal(stale?.bytes, bytes);
    assert.equal(cache.get('a', { allowStale: true })?.stale, true, 'a stale read does not delete it');
    assert.equal(cache.stats.entries, 1);
  });

  it('caps freshness in memory at ttlMs even when the entry lives longer', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 100, now: clock.now });
    const bytes = bytesOf(8);
    cache.set('a', bytes, metaFor(bytes, clock.now(), 60_000));
    clock.advance(101);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('a', { allowStale: true })?.stale, true);
  });

  it('caches nothing with ttlMs 0', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 0, now: clock.now });
    cache.set('a', bytesOf(8), metaFor(bytesOf(8), clock.now(), 60_000));
    assert.equal(cache.get('a', { allowStale: true }), undefined);
    assert.equal(cache.stats.entries, 0);
  });

  it('does not cache an already expired value and drops the older one', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 60_000, now: clock.now });
    cache.set('a', bytesOf(8, 1), metaFor(bytesOf(8, 1), clock.now(), 5000));
    cache.set('a', bytesOf(8, 2), metaFor(bytesOf(8, 2), clock.now() - 10_000, 5000));
    assert.equal(cache.get('a', { allowStale: true }), undefined);
    assert.equal(cache.stats.entries, 0);
  });

  it('renews freshness when the same key is set again', () => {
    const clock = manualClock();
    const cache = new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 60_000, now: clock.now });
    const bytes = bytesOf(8);
    cache.set('a', bytes, metaFor(bytes, clock.now(), 1000));
    clock.advance(2000);
    assert.equal(cache.get('a'), undefined);
    const revalidated = metaFor(bytes, clock.now(), 1000);
    cache.set('a', bytes, revalidated);
    assert.deepEqual(cache.get('a'), { bytes, meta: revalidated, stale: false });
  });

  it('deletes and clears', () => {
    const cache = new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 60_000 });
    const meta = metaFor(bytesOf(4), Date.now(), 60_000);
    for (const key of ['a', 'b', 'c']) cache.set(key, bytesOf(4), meta);
    cache.delete('a');
    assert.equal(cache.get('a'), undefined);
    assert.deepEqual(cache.stats, { entries: 2, bytes: 8 });
    cache.clear();
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual(cache.stats, { entries: 0, bytes: 0 });
  });

  it('rejects bounds that would disable it', () => {
    for (const bad of [{ maxEntries: 0 }, { maxBytes: -1 }, { ttlMs: Number.NaN }, { ttlMs: -1 }, { maxEntries: 1.5 }]) {
      assert.throws(() => new MemoryCache({ maxEntries: 10, maxBytes: 1000, ttlMs: 1000, ...bad }), FormatError);
    }
  });
});
