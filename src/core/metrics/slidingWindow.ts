import { FormatError } from '../errors';

/**
 * Sums a quantity over the last `windowMs`, in a ring of fixed time buckets: adding is O(1) and
 * memory never grows with the number of samples. Each slot remembers which bucket of time it
 * holds, so a slot left over from an earlier lap is recognised as stale instead of being summed.
 * The window slides in steps of one bucket (windowMs / buckets).
 */
export class SlidingWindow {
  readonly windowMs: number;
  readonly #bucketMs: number;
  readonly #sums: Float64Array;
  /** The time bucket (floor(t / bucketMs)) each slot currently holds. */
  readonly #stamps: Float64Array;
  #startedAt: number;

  constructor(windowMs: number, startedAt: number, buckets = 100) {
    if (!(windowMs > 0) || !Number.isInteger(buckets) || buckets < 1) {
      throw new FormatError('needs windowMs > 0 and a positive whole number of buckets', undefined, 'SlidingWindow options');
    }
    this.windowMs = windowMs;
    this.#bucketMs = windowMs / buckets;
    this.#sums = new Float64Array(buckets);
    this.#stamps = new Float64Array(buckets).fill(-Infinity);
    this.#startedAt = startedAt;
  }

  add(amount: number, now: number): void {
    const bucket = Math.floor(now / this.#bucketMs);
    const n = this.#sums.length;
    const slot = ((bucket % n) + n) % n; // also right for an injected clock that starts below zero
    if (this.#stamps[slot] !== bucket) {
      this.#stamps[slot] = bucket;
      this.#sums[slot] = 0;
    }
    this.#sums[slot]! += amount;
  }

  /** The total added during the window that ends at `now`. */
  sum(now: number): number {
    const current = Math.floor(now / this.#bucketMs);
    const oldest = current - this.#sums.length;
    let total = 0;
    for (let slot = 0; slot < this.#sums.length; slot++) {
      const stamp = this.#stamps[slot]!;
      if (stamp > oldest && stamp <= current) total += this.#sums[slot]!;
    }
    return total;
  }

  /**
   * The sum per second. Until a full window has passed since the start (or the last reset) the
   * sum is divided by the time actually elapsed, so the first seconds are not under-reported.
   */
  ratePerSecond(now: number): number {
    const covered = Math.min(this.windowMs, Math.max(this.#bucketMs, now - this.#startedAt));
    return (this.sum(now) * 1000) / covered;
  }

  reset(now: number): void {
    this.#sums.fill(0);
    this.#stamps.fill(-Infinity);
    this.#startedAt = now;
  }
}
