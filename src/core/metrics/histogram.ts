import { FormatError } from '../errors';

export interface HistogramOptions {
  /** Smallest value told apart from zero, in ms. Default 0.001 (1 µs). */
  lowestMs?: number;
  /** Largest value tracked, in ms; larger values count as this. Default 600 000 (10 min). */
  highestMs?: number;
  /** Largest relative error of a reported percentile. Default 0.02 (2 %). */
  relativeError?: number;
}

/**
 * A fixed-size latency histogram with logarithmic buckets (the DDSketch layout): bucket `i`
 * holds values in (γ^(i-1), γ^i] × lowest with γ = (1 + α) / (1 - α), and reports
 * 2γ^i / (γ + 1) × lowest, which is within α of every value in the bucket. With the defaults
 * that is about 500 counters for 1 µs … 10 min at 2 % error, and recording is one logarithm and
 * one increment, whatever the number of samples.
 */
export class Histogram {
  readonly #lowest: number;
  readonly #highest: number;
  readonly #logGamma: number;
  readonly #midpoint: number;
  readonly #counts: Float64Array;
  #count = 0;
  #min = Infinity;
  #max = 0;

  constructor(opts: HistogramOptions = {}) {
    const { lowestMs = 0.001, highestMs = 600_000, relativeError = 0.02 } = opts;
    if (!(lowestMs > 0 && highestMs > lowestMs && relativeError > 0 && relativeError < 1)) {
      throw new FormatError('needs 0 < lowestMs < highestMs and 0 < relativeError < 1', undefined, 'Histogram options');
    }
    const gamma = (1 + relativeError) / (1 - relativeError);
    this.#lowest = lowestMs;
    this.#highest = highestMs;
    this.#logGamma = Math.log(gamma);
    this.#midpoint = (2 * lowestMs) / (gamma + 1);
    // Bucket 0 takes everything up to `lowest`, the last one everything up to `highest`.
    this.#counts = new Float64Array(this.#indexOf(highestMs) + 1);
  }

  /** Samples recorded since construction or the last reset. */
  get count(): number {
    return this.#count;
  }

  /** The largest sample (exact, not bucketed), or 0 when empty. */
  get max(): number {
    return this.#max;
  }

  /** Number of buckets: the memory footprint, fixed at construction. */
  get buckets(): number {
    return this.#counts.length;
  }

  record(ms: number): void {
    // A NaN would poison every percentile; a negative duration can only be a clock error.
    if (Number.isNaN(ms)) return;
    const value = Math.min(Math.max(ms, 0), this.#highest);
    this.#counts[this.#indexOf(value)]! += 1;
    this.#count += 1;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /**
   * The value below or at which `p` percent of the samples fall (nearest rank), within the
   * relative error of the true sample, and never outside the exact [min, max]. 0 when empty.
   */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(Math.max(this.#valueOf(i), this.#min), this.#max);
    }
    return this.#max;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#min = Infinity;
    this.#max = 0;
  }

  #indexOf(value: number): number {
    if (value <= this.#lowest) return 0;
    return Math.ceil(Math.log(value / this.#lowest) / this.#logGamma);
  }

  #valueOf(index: number): number {
    return index === 0 ? this.#lowest : this.#midpoint * Math.exp(index * this.#logGamma);
  }
}
