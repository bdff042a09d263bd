import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingWindow } from '../../../src/core/metrics/slidingWindow';

describe('SlidingWindow', () => {
  it('sums what was added within the window and forgets what slid out', () => {
    const w = new SlidingWindow(10_000, 0); // 100 buckets of 100 ms
    w.add(5, 0);
    w.add(3, 4_999);
    assert.equal(w.sum(5_000), 8);
    assert.equal(w.sum(9_999), 8);
    assert.equal(w.sum(10_000), 3, 'the bucket at t=0 has left the window');
    assert.equal(w.sum(15_000), 0, 'everything has left the window');
  });

  it('does not mistake a slot from an earlier lap for a current one', () => {
    const w = new SlidingWindow(1_000, 0, 10);
    w.add(7, 50); // slot 0, bucket 0
    w.add(1, 1_050); // slot 0 again, bucket 10: the old 7 must be dropped, not added to
    assert.equal(w.sum(1_050), 1);
    w.add(2, 3_000); // bucket 30, also slot 0
    assert.equal(w.sum(3_000), 2);
  });

  it('reports a rate per second over the elapsed time until the window is full', () => {
    const w = new SlidingWindow(10_000, 1_000_000);
    for (let i = 0; i < 20; i++) w.add(1, 1_000_000 + i * 100); // 20 in the first 2 s
    assert.equal(w.ratePerSecond(1_002_000), 10, '20 in 2 s is 10/s, not 2/s');
    assert.equal(w.ratePerSecond(1_030_000), 0);
  });

  it('reports a rate per second over the full window once it has passed', () => {
    const w = new SlidingWindow(10_000, 0);
    for (let i = 0; i < 20; i++) w.add(1, 50_000 + i * 100);
    assert.equal(w.ratePerSecond(59_950), 2, '20 in a 10 s window is 2/s');
    assert.equal(w.ratePerSecond(60_050), 1.9, 'the first 100 ms bucket has slid out');
  });

  it('resets to empty and restarts the elapsed time', () => {
    const w = new SlidingWindow(10_000, 0);
    w.add(100, 500);
    w.reset(20_000);
    assert.equal(w.sum(20_000), 0);
    w.add(10, 20_500);
    assert.equal(w.ratePerSecond(21_000), 10);
  });

  it('works with a clock that starts below zero', () => {
    const w = new SlidingWindow(1_000, -5_000, 10);
    w.add(4, -4_950);
    assert.equal(w.sum(-4_900), 4);
  });

  it('rejects a window without buckets', () => {
    assert.throws(() => new SlidingWindow(0, 0), { code: 'E_FORMAT' });
    assert.throws(() => new SlidingWindow(1000, 0, 0), { code: 'E_FORMAT' });
  });
});
