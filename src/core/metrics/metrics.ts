import { Histogram } from './histogram';
import type { LatencySummary, MetricsSnapshot, Tier } from './snapshot';
import { SlidingWindow } from './slidingWindow';

export type { LatencySummary, MetricsSnapshot, Tier } from './snapshot';

export interface MetricsOptions {
  /** Span of the throughput window. Default 10 000 ms. */
  windowMs?: number;
  /** Subscribers hear about changes at most once per this interval. Default 250 ms. */
  emitIntervalMs?: number;
  /** A clock for tests; by default `Date.now` stamps snapshots and `performance.now` times work. */
  now?: () => number;
}

export type MetricsListener = (snapshot: MetricsSnapshot) => void;

const TIERS: readonly Tier[] = ['memory', 'disk', 'network'];

/**
 * Counters, latency histograms and throughput of the engine. Recording is on the hot path, so it
 * only bumps plain numbers and fixed-size arrays; the summaries are computed when someone asks,
 * by `snapshot()` or for subscribers, at most once per `emitIntervalMs`.
 */
export class Metrics {
  readonly #emitIntervalMs: number;
  /** Epoch time, for `at`. */
  readonly #now: () => number;
  /** Monotonic time, for durations and the throughput window. */
  readonly #clock: () => number;
  readonly #tiers: Record<Tier, { hits: number; misses: number }> = {
    memory: { hits: 0, misses: 0 },
    disk: { hits: 0, misses: 0 },
    network: { hits: 0, misses: 0 },
  };
  #rawBytes = 0;
  #storedBytes = 0;
  #downloads = 0;
  #downloadedBytes = 0;
  #errors = 0;
  #verified = 0;
  #verifyCacheHits = 0;
  #verifyFailures = 0;
  /** Small maps keyed by error code: the engine's codes are a fixed set of about fifteen. */
  readonly #errorsByCode = new Map<string, number>();
  readonly #verifyFailuresByCode = new Map<string, number>();
  /** One histogram per operation name; names are a small fixed set chosen by the engine. */
  readonly #latency = new Map<string, Histogram>();
  readonly #templatesWindow: SlidingWindow;
  readonly #bytesWindow: SlidingWindow;
  readonly #servedWindow: SlidingWindow;
  readonly #servedBytesWindow: SlidingWindow;
  readonly #listeners = new Set<MetricsListener>();
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: MetricsOptions = {}) {
    const { windowMs = 10_000, emitIntervalMs = 250, now } = opts;
    this.#emitIntervalMs = emitIntervalMs;
    this.#now = now ?? Date.now;
    this.#clock = now ?? (() => performance.now());
    const start = this.#clock();
    this.#templatesWindow = new SlidingWindow(windowMs, start);
    this.#bytesWindow = new SlidingWindow(windowMs, start);
    this.#servedWindow = new SlidingWindow(windowMs, start);
    this.#servedBytesWindow = new SlidingWindow(windowMs, start);
  }

  hit(tier: Tier): void {
    this.#tiers[tier].hits += 1;
    this.#changed();
  }

  miss(tier: Tier): void {
    this.#tiers[tier].misses += 1;
    this.#changed();
  }

  /** A body of `rawBytes` was stored in `storedBytes` (for example gzip in the disk cache). */
  compressed(rawBytes: number, storedBytes: number): void {
    this.#rawBytes += rawBytes;
    this.#storedBytes += storedBytes;
    this.#changed();
  }

  /** One template package of `bytes` came over the network. */
  downloaded(bytes: number): void {
    const t = this.#clock();
    this.#downloads += 1;
    this.#downloadedBytes += bytes;
    this.#templatesWindow.add(1, t);
    this.#bytesWindow.add(bytes, t);
    this.#changed();
  }

  /** A package of `bytes` was handed out, from whichever tier served it. */
  served(bytes: number): void {
    const t = this.#clock();
    this.#servedWindow.add(1, t);
    this.#servedBytesWindow.add(bytes, t);
    this.#changed();
  }

  /** An operation failed; `code` is the MarketplaceError code, when there is one. */
  error(code?: string): void {
    this.#errors += 1;
    bump(this.#errorsByCode, code);
    this.#changed();
  }

  latency(op: string, ms: number): void {
    let histogram = this.#latency.get(op);
    if (!histogram) {
      histogram = new Histogram();
      this.#latency.set(op, histogram);
    }
    histogram.record(ms);
    this.#changed();
  }

  /** Runs `fn` and records how long it took under `op`, whether it succeeds or fails. */
  async time<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const start = this.#clock();
    try {
      return await fn();
    } finally {
      this.latency(op, this.#clock() - start);
    }
  }

  /** One verification outcome; a failure names its reason by error code (`E_SIGNATURE`, `E_INTEGRITY`…). */
  verified(outcome: { ok: boolean; cached: boolean; code?: string }): void {
    if (outcome.ok) this.#verified += 1;
    else {
      this.#verifyFailures += 1;
      bump(this.#verifyFailuresByCode, outcome.code);
    }
    if (outcome.cached) this.#verifyCacheHits += 1;
    this.#changed();
  }

  snapshot(): MetricsSnapshot {
    const t = this.#clock();
    const tiers = {} as MetricsSnapshot['tiers'];
    for (const tier of TIERS) {
      const { hits, misses } = this.#tiers[tier];
      tiers[tier] = { hits, misses, hitRatio: ratio(hits, hits + misses) };
    }
    const { memory, disk } = this.#tiers;
    // fromEntries defines own properties, so even an op named "__proto__" stays a plain key.
    const latency: Record<string, LatencySummary> = Object.fromEntries(
      [...this.#latency].map(([op, h]) => [op, { count: h.count, p50: h.percentile(50), p95: h.percentile(95), p99: h.percentile(99), max: h.max }]),
    );
    return {
      tiers,
      // A disk hit is a memory miss served from disk, so this stays within [0, 1] for a layered cache.
      hitRatio: Math.min(1, ratio(memory.hits + disk.hits, memory.hits + memory.misses)),
      compression: { rawBytes: this.#rawBytes, storedBytes: this.#storedBytes, bytesSaved: this.#rawBytes - this.#storedBytes },
      throughput: {
        windowMs: this.#templatesWindow.windowMs,
        templatesPerSec: this.#templatesWindow.ratePerSecond(t),
        bytesPerSec: this.#bytesWindow.ratePerSecond(t),
        servedPerSec: this.#servedWindow.ratePerSecond(t),
        servedBytesPerSec: this.#servedBytesWindow.ratePerSecond(t),
      },
      totals: { downloads: this.#downloads, downloadedBytes: this.#downloadedBytes, errors: this.#errors },
      errorsByCode: Object.fromEntries(this.#errorsByCode),
      latency,
      verification: { verified: this.#verified, cacheHits: this.#verifyCacheHits, failures: this.#verifyFailures },
      verificationFailures: Object.fromEntries(this.#verifyFailuresByCode),
      at: this.#now(),
    };
  }

  /**
   * Calls `listener` with a fresh snapshot after changes, at most once per `emitIntervalMs`:
   * a burst of a thousand downloads is one emission, and nothing runs while the engine is idle.
   */
  subscribe(listener: MetricsListener): { dispose(): void } {
    this.#listeners.add(listener);
    return {
      dispose: () => {
        this.#listeners.delete(listener);
        if (this.#listeners.size === 0) this.#cancelEmit();
      },
    };
  }

  reset(): void {
    for (const tier of TIERS) this.#tiers[tier] = { hits: 0, misses: 0 };
    this.#rawBytes = this.#storedBytes = 0;
    this.#downloads = this.#downloadedBytes = this.#errors = 0;
    this.#verified = this.#verifyCacheHits = this.#verifyFailures = 0;
    this.#errorsByCode.clear();
    this.#verifyFailuresByCode.clear();
    this.#latency.clear();
    const t = this.#clock();
    for (const w of [this.#templatesWindow, this.#bytesWindow, this.#servedWindow, this.#servedBytesWindow]) w.reset(t);
    this.#changed();
  }

  /** Drops every subscriber and the pending emission, if any. */
  dispose(): void {
    this.#listeners.clear();
    this.#cancelEmit();
  }

  #changed(): void {
    if (this.#timer !== undefined || this.#listeners.size === 0) return;
    // unref: a pending emission must never keep the process (or a test run) alive.
    this.#timer = setTimeout(this.#emit, this.#emitIntervalMs).unref();
  }

  readonly #emit = (): void => {
    this.#timer = undefined;
    if (this.#listeners.size === 0) return;
    const snapshot = this.snapshot();
    for (const listener of [...this.#listeners]) {
      // One broken view must not starve the others, nor throw out of a timer and crash the host.
      try {
        listener(snapshot);
      } catch (err) {
        process.emitWarning(`A metrics listener threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  #cancelEmit(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function bump(counts: Map<string, number>, code: string | undefined): void {
  const key = code || 'unknown';
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
