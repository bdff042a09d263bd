import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Metrics, type MetricsSnapshot } from '../../../src/core/metrics/metrics';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** Emission timers are unref'd by design; hold the event loop open while a test waits on one. */
async function keepAlive<T>(promise: Promise<T>): Promise<T> {
  const handle = setInterval(() => {}, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(handle);
  }
}

describe('Metrics', () => {
  it('computes per-tier and overall hit ratios', () => {
    const m = new Metrics();
    assert.equal(m.snapshot().hitRatio, 0, 'no reads yet: 0, not NaN');
    // 10 reads: 6 from memory, 2 from disk, 2 from the network.
    for (let i = 0; i < 6; i++) m.hit('memory');
    for (let i = 0; i < 4; i++) m.miss('memory');
    for (let i = 0; i < 2; i++) m.hit('disk');
    for (let i = 0; i < 2; i++) m.miss('disk');
    for (let i = 0; i < 2; i++) m.hit('network');
    const s = m.snapshot();
    assert.deepEqual(s.tiers.memory, { hits: 6, misses: 4, hitRatio: 0.6 });
    assert.deepEqual(s.tiers.disk, { hits: 2, misses: 2, hitRatio: 0.5 });
    assert.deepEqual(s.tiers.network, { hits: 2, misses: 0, hitRatio: 1 });
    assert.equal(s.hitRatio, 0.8, '(6 memory + 2 disk) of 10 reads came from a cache');
  });

  it('adds up compression, downloads, errors and verifications', () => {
    const m = new Metrics();
    m.compressed(1000, 400);
    m.compressed(500, 100);
    m.downloaded(300);
    m.downloaded(700);
    m.error();
    m.verified({ ok: true, cached: false });
    m.verified({ ok: true, cached: true });
    m.verified({ ok: false, cached: false });
    const s = m.snapshot();
    assert.deepEqual(s.compression, { rawBytes: 1500, storedBytes: 500, bytesSaved: 1000 });
    assert.deepEqual(s.totals, { downloads: 2, downloadedBytes: 1000, errors: 1 });
    assert.deepEqual(s.verification, { verified: 2, cacheHits: 1, failures: 1 });
  });

  it('measures throughput over a sliding window on an injected clock', () => {
    const clock = manualClock();
    const m = new Metrics({ windowMs: 10_000, now: clock.now });
    clock.advance(20_000); // past the first window, so rates are per full 10 s
    for (let i = 0; i < 50; i++) {
      m.downloaded(2_000);
      clock.advance(100);
    }
    let s = m.snapshot();
    assert.equal(s.throughput.windowMs, 10_000);
    assert.equal(s.throughput.templatesPerSec, 5, '50 templates in 10 s');
    assert.equal(s.throughput.bytesPerSec, 10_000, '100 000 bytes in 10 s');
    clock.advance(20_000);
    s = m.snapshot();
    assert.equal(s.throughput.templatesPerSec, 0, 'the downloads slid out of the window');
    assert.equal(s.totals.downloads, 50, 'totals are not windowed');
    assert.equal(s.at, clock.now());
  });

  it('summarises latencies per operation, including failed ones', async () => {
    const clock = manualClock(0);
    const m = new Metrics({ now: clock.now });
    for (let ms = 1; ms <= 100; ms++) m.latency('download', ms);
    const ok = await m.time('verify', async () => {
      clock.advance(40);
      return 'fine';
    });
    assert.equal(ok, 'fine');
    await assert.rejects(
      m.time('verify', async () => {
        clock.advance(80);
        throw new Error('boom');
      }),
      /boom/,
    );
    const { latency } = m.snapshot();
    assert.equal(latency.download?.count, 100);
    assert.ok(Math.abs(latency.download!.p50 - 50) <= 1, `p50 ${latency.download?.p50}`);
    assert.ok(Math.abs(latency.download!.p95 - 95) <= 1.9, `p95 ${latency.download?.p95}`);
    assert.equal(latency.download?.max, 100);
    assert.equal(latency.verify?.count, 2, 'the failed call is timed too');
    assert.equal(latency.verify?.max, 80);
    assert.ok(Math.abs(latency.verify!.p50 - 40) <= 0.8);
  });

  it('keeps an operation called "__proto__" as a plain key', () => {
    const m = new Metrics();
    m.latency('__proto__', 5);
    const { latency } = m.snapshot();
    assert.ok(Object.hasOwn(latency, '__proto__'));
    assert.equal(Object.getPrototypeOf(latency), Object.prototype);
  });

  it('coalesces a burst of changes into one emission and stays quiet when idle', { timeout: 10_000 }, async () => {
    const m = new Metrics({ emitIntervalMs: 5 });
    const seen: MetricsSnapshot[] = [];
    let resolveFirst!: () => void;
    const first = new Promise<void>((resolve) => (resolveFirst = resolve));
    const sub = m.subscribe((s) => {
      seen.push(s);
      resolveFirst();
    });
    for (let i = 0; i < 1000; i++) m.downloaded(10);
    await keepAlive(first);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.totals.downloads, 1000, 'the single emission carries the whole burst');

    await sleep(50); // ten intervals with no change
    assert.equal(seen.length, 1, 'no emission while idle');

    m.error();
    for (let i = 0; i < 200 && seen.length < 2; i++) await sleep(5);
    assert.equal(seen.length, 2);
    assert.equal(seen[1]?.totals.errors, 1);

    sub.dispose();
    m.error();
    await sleep(50);
    assert.equal(seen.length, 2, 'nothing after dispose');
  });

  it('keeps emitting to the other listeners when one throws', { timeout: 10_000 }, async () => {
    const m = new Metrics({ emitIntervalMs: 1 });
    const warning = new Promise<Error>((resolve) => process.once('warning', resolve));
    const bad = m.subscribe(() => {
      throw new Error('view is gone');
    });
    const got = new Promise<MetricsSnapshot>((resolve) => m.subscribe(resolve));
    m.hit('memory');
    assert.equal((await keepAlive(got)).tiers.memory.hits, 1);
    assert.match((await keepAlive(warning)).message, /view is gone/);
    bad.dispose();
    m.dispose();
  });

  it('resets every counter, window and histogram', () => {
    const m = new Metrics();
    m.hit('disk');
    m.downloaded(5);
    m.compressed(10, 5);
    m.latency('install', 3);
    m.verified({ ok: false, cached: true });
    m.reset();
    const s = m.snapshot();
    assert.equal(s.tiers.disk.hits, 0);
    assert.deepEqual(s.totals, { downloads: 0, downloadedBytes: 0, errors: 0 });
    assert.equal(s.throughput.templatesPerSec, 0);
    assert.deepEqual(s.compression, { rawBytes: 0, storedBytes: 0, bytesSaved: 0 });
    assert.deepEqual(s.latency, {});
    assert.deepEqual(s.verification, { verified: 0, cacheHits: 0, failures: 0 });
  });

  it('counts errors by code and verification failures by reason', () => {
    const m = new Metrics();
    m.error('E_NETWORK');
    m.error('E_NETWORK');
    m.error('E_SIGNATURE');
    m.error();
    m.verified({ ok: false, cached: false, code: 'E_SIGNATURE' });
    m.verified({ ok: false, cached: true, code: 'E_SIGNATURE' });
    m.verified({ ok: false, cached: false, code: 'E_INTEGRITY' });
    m.verified({ ok: false, cached: false });
    m.verified({ ok: true, cached: false, code: 'E_IGNORED_ON_SUCCESS' });
    const s = m.snapshot();
    assert.deepEqual(s.errorsByCode, { E_NETWORK: 2, E_SIGNATURE: 1, unknown: 1 });
    assert.equal(s.totals.errors, 4, 'the total is the sum of the codes');
    assert.deepEqual(s.verificationFailures, { E_SIGNATURE: 2, E_INTEGRITY: 1, unknown: 1 });
    assert.equal(s.verification.failures, 4);
    assert.equal(Object.getPrototypeOf(s.errorsByCode), Object.prototype, 'plain data: it serialises as JSON');
    m.reset();
    assert.deepEqual(m.snapshot().errorsByCode, {});
    assert.deepEqual(m.snapshot().verificationFailures, {});
  });

  it('measures packages served from any tier apart from those downloaded', () => {
    const clock = manualClock();
    const m = new Metrics({ windowMs: 10_000, now: clock.now });
    clock.advance(20_000);
    for (let i = 0; i < 100; i++) {
      m.served(1_000);
      if (i % 10 === 0) m.downloaded(1_000);
      clock.advance(50);
    }
    const s = m.snapshot();
    assert.equal(s.throughput.servedPerSec, 10, '100 packages within the 10 s window');
    assert.equal(s.throughput.servedBytesPerSec, 10_000);
    assert.equal(s.throughput.templatesPerSec, 1, 'only 10 of them came over the network');
    assert.equal(s.totals.downloads, 10);
  });
});
