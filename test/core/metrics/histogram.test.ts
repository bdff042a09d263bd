import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram } from '../../../src/core/metrics/histogram';

/** |actual - expected| <= 2 % of expected (the histogram's promised relative error). */
function assertWithin2Percent(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.02 + 1e-12, `${what}: ${actual} is not within 2 % of ${expected}`);
}

describe('Histogram', () => {
  it('reports percentiles of 1..1000 uniform within 2 %', () => {
    const h = new Histogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    assert.equal(h.count, 1000);
    assert.equal(h.max, 1000);
    assertWithin2Percent(h.percentile(50), 500, 'p50');
    assertWithin2Percent(h.percentile(95), 950, 'p95');
    assertWithin2Percent(h.percentile(99), 990, 'p99');
    assert.equal(h.percentile(100), 1000, 'p100 is the exact max');
    assert.equal(h.percentile(0), 1, 'p0 is clamped to the exact min');
  });

  it('keeps the 2 % bound across the whole range, 1 µs to 10 min', () => {
    for (let exp = -3; exp <= 5.7; exp += 0.1) {
      const value = 10 ** exp * 1.2345;
      const h = new Histogram();
      h.record(value);
      h.record(value * 1000 > 600_000 ? 600_000 : value * 1000);
      // With two samples p50 is the smaller one; its bucket estimate must be close to it.
      assertWithin2Percent(h.percentile(50), Math.min(value, 600_000), `value ${value}`);
    }
  });

  it('handles a skewed distribution: 990 fast samples and 10 slow ones', () => {
    const h = new Histogram();
    for (let i = 0; i < 990; i++) h.record(0.25);
    for (let i = 0; i < 10; i++) h.record(1500);
    assertWithin2Percent(h.percentile(50), 0.25, 'p50');
    assertWithin2Percent(h.percentile(99), 0.25, 'p99 (rank 990 is still fast)');
    assertWithin2Percent(h.percentile(99.1), 1500, 'p99.1');
    assert.equal(h.max, 1500);
  });

  it('has a fixed number of buckets, whatever the number of samples', () => {
    const h = new Histogram();
    const before = h.buckets;
    assert.ok(before > 400 && before < 600, `about 500 buckets for 1 µs..10 min at 2 %, got ${before}`);
    for (let i = 0; i < 100_000; i++) h.record((i % 997) + 0.5);
    assert.equal(h.buckets, before);
    assert.equal(h.count, 100_000);
  });

  it('returns 0 when empty and after reset', () => {
    const h = new Histogram();
    assert.equal(h.percentile(50), 0);
    assert.equal(h.max, 0);
    h.record(42);
    assert.equal(h.count, 1);
    h.reset();
    assert.equal(h.count, 0);
    assert.equal(h.max, 0);
    assert.equal(h.percentile(99), 0);
  });

  it('clamps out-of-range values and ignores NaN', () => {
    const h = new Histogram();
    h.record(Number.NaN);
    assert.equal(h.count, 0);
    h.record(-5);
    assert.equal(h.percentile(50), 0, 'a negative duration counts as zero');
    h.record(10 * 60_000 * 5);
    assert.equal(h.max, 600_000, 'values above the range count as the highest value');
    h.record(0.0000001);
    assert.equal(h.count, 3);
  });

  it('rejects nonsensical options with a typed error', () => {
    assert.throws(() => new Histogram({ relativeError: 0 }), { code: 'E_FORMAT' });
    assert.throws(() => new Histogram({ lowestMs: 10, highestMs: 1 }), { code: 'E_FORMAT' });
  });
});
