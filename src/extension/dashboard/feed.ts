import type { MarketplaceClient, StatsSnapshot, buildStats } from '../../core';
import { notification, type HostMessage } from '../../protocol/dashboard';
import { SampleHistory, toSample } from './history';

/** What the feed reads of the engine. */
export type FeedClient = Pick<MarketplaceClient, 'metrics' | 'memoryStats' | 'cacheStats' | 'limits' | 'status'>;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface FeedOptions {
  /** Sends one message to the webview (VS Code serialises it). */
  post(message: HostMessage): void;
  /** The engine's pure snapshot builder (the extension reaches the engine's runtime through loadEngine). */
  buildStats: typeof buildStats;
  /** At most one post per this interval while visible: 250 ms = 4/s. */
  minIntervalMs?: number;
  /** While hidden nothing is posted; a sample is still recorded for the session's series, at most this often. */
  hiddenIntervalMs?: number;
  /** The disk tier is scanned (a directory listing) at most this often, only while visible and after changes. */
  diskScanIntervalMs?: number;
  /**
   * A scan stats every file of the cache and competes with a running batch for the I/O thread pool,
   * so it waits until the engine has been quiet this long after its last change…
   */
  diskScanQuietMs?: number;
  /** …but no longer than this after the first change it has not seen (a long batch still updates). */
  diskScanMaxWaitMs?: number;
  /** After activity the throughput window decays with no new events: refresh this often until it reads 0. */
  settleIntervalMs?: number;
  now?: () => number;
  timers?: Timers;
  onError?(err: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Turns a client's metrics into what the dashboard webview receives. Plain Node (no `vscode`), so
 * the bench measures exactly what the panel costs the engine.
 *
 * - Listens to `metrics.subscribe` (the engine already coalesces to ≤ 4 emissions/s) and posts the
 *   latest complete snapshot at most once per `minIntervalMs`; bursts collapse into one post.
 * - Hidden: posts nothing and scans nothing; records a sample at most once per `hiddenIntervalMs`;
 *   the next post after it shows again resends the whole series (`replace`).
 * - Scans the disk tier (for its occupancy) only while visible, once the engine is quiet: a scan
 *   stats every cached file, and during a batch it would compete with the batch for I/O.
 * - Holds one timer at most for posting and one for the disk scan; `dispose` clears both.
 */
export class DashboardFeed {
  readonly history = new SampleHistory();
  #client: FeedClient | undefined;
  #subscription: { dispose(): void } | undefined;
  #visible = false;
  #disposed = false;
  #needsFull = true;
  #lastFlushAt = -Infinity;
  #flushTimer: unknown;
  #flushDue = Infinity;
  #scanTimer: unknown;
  #scanning = false;
  #lastScanAt = -Infinity;
  #changedSinceScan = true;
  /** When the oldest change not yet covered by a scan happened. */
  #firstUnscannedChangeAt = -Infinity;
  #scanDue = Infinity;
  #disk: { entries: number; bytes: number } | undefined;
  #latest: StatsSnapshot | undefined;
  #lastPosted: HostMessage | undefined;
  readonly #o: Required<Omit<FeedOptions, 'onError'>> & Pick<FeedOptions, 'onError'>;

  constructor(options: FeedOptions) {
    this.#o = {
      minIntervalMs: 250,
      hiddenIntervalMs: 1_000,
      diskScanIntervalMs: 2_000,
      diskScanQuietMs: 1_000,
      diskScanMaxWaitMs: 15_000,
      settleIntervalMs: 1_000,
      now: Date.now,
      timers: realTimers,
      ...options,
    };
  }

  /** Follows another client (or none): the series starts again, since a new client starts new metrics. */
  attach(client: FeedClient | undefined): void {
    this.#subscription?.dispose();
    this.#subscription = undefined;
    this.#client = client;
    this.history.clear();
    this.#latest = undefined;
    this.#disk = undefined;
    this.#needsFull = true;
    this.#changedSinceScan = true;
    this.#lastScanAt = -Infinity;
    this.#cancelScan();
    if (!client || this.#disposed) return;
    this.#subscription = client.metrics.subscribe(() => this.#onMetrics());
    this.#schedule(0);
    this.#scheduleScan();
  }

  setVisible(visible: boolean): void {
    if (this.#disposed || visible === this.#visible) return;
    this.#visible = visible;
    if (visible) {
      this.#needsFull = true;
      this.#schedule(0);
      this.#scheduleScan();
    } else {
      this.#cancelScan();
    }
  }

  /** The webview (re)loaded and said `ready`: send everything now, unthrottled. */
  resync(): void {
    if (this.#disposed) return;
    this.#needsFull = true;
    this.#cancelFlush();
    this.#flush();
    this.#scheduleScan();
  }

  /** The newest snapshot, posted or not (Copy Snapshot as JSON). */
  get latest(): StatsSnapshot | undefined {
    return this.#latest;
  }

  /** The last message posted to the webview (for tests). */
  get lastPosted(): HostMessage | undefined {
    return this.#lastPosted;
  }

  dispose(): void {
    this.#disposed = true;
    this.#subscription?.dispose();
    this.#subscription = undefined;
    this.#cancelFlush();
    this.#cancelScan();
    this.#client = undefined;
  }

  #onMetrics(): void {
    if (!this.#changedSinceScan) this.#firstUnscannedChangeAt = this.#o.now();
    this.#changedSinceScan = true;
    this.#schedule(0);
    this.#scheduleScan();
  }

  /** Asks for a flush no sooner than `afterMs` from now and within the rate limit; keeps the earlier of two requests. */
  #schedule(afterMs: number): void {
    if (this.#disposed || !this.#client) return;
    const now = this.#o.now();
    const interval = this.#visible ? this.#o.minIntervalMs : this.#o.hiddenIntervalMs;
    const due = Math.max(now + afterMs, this.#lastFlushAt + interval);
    if (this.#flushTimer !== undefined && this.#flushDue <= due) return;
    this.#cancelFlush();
    this.#flushDue = due;
    this.#flushTimer = this.#o.timers.set(() => {
      this.#flushTimer = undefined;
      this.#flushDue = Infinity;
      this.#flush();
    }, due - now);
  }

  #flush(): void {
    const client = this.#client;
    if (this.#disposed || !client) return;
    this.#lastFlushAt = this.#o.now();
    let snapshot: StatsSnapshot;
    try {
      snapshot = this.#o.buildStats({
        metrics: client.metrics.snapshot(),
        memory: client.memoryStats(),
        ...(this.#disk ? { disk: this.#disk } : {}),
        limits: client.limits(),
        sources: client.status(),
        now: this.#lastFlushAt,
      });
    } catch (err) {
      this.#o.onError?.(err);
      return;
    }
    const sample = toSample(snapshot);
    this.history.push(sample);
    this.#latest = snapshot;
    if (!this.#visible) {
      this.#needsFull = true;
      return;
    }
    const replace = this.#needsFull;
    this.#needsFull = false;
    const message = notification('metrics/didChange', { snapshot, samples: replace ? this.history.all() : [sample], replace });
    this.#lastPosted = message;
    this.#o.post(message);
    // The rates slide back to 0 after activity stops, with no event to say so: look again later.
    const t = snapshot.metrics.throughput;
    if (t.templatesPerSec > 0 || t.servedPerSec > 0) this.#schedule(this.#o.settleIntervalMs);
  }

  /** (Re)plans the disk scan: after a quiet spell, within the max wait, never sooner than the interval. */
  #scheduleScan(): void {
    if (this.#disposed || !this.#visible || !this.#client || this.#scanning || !this.#changedSinceScan) return;
    const now = this.#o.now();
    const never = this.#lastScanAt === -Infinity;
    const quietAt = never ? now : Math.min(now + this.#o.diskScanQuietMs, this.#firstUnscannedChangeAt + this.#o.diskScanMaxWaitMs);
    const due = Math.max(quietAt, this.#lastScanAt + this.#o.diskScanIntervalMs);
    if (this.#scanTimer !== undefined && due === this.#scanDue) return;
    this.#cancelScan();
    this.#scanDue = due;
    this.#scanTimer = this.#o.timers.set(() => {
      this.#scanTimer = undefined;
      this.#scanDue = Infinity;
      void this.#scan();
    }, Math.max(0, due - now));
  }

  async #scan(): Promise<void> {
    const client = this.#client;
    if (this.#disposed || !this.#visible || !client) return;
    this.#scanning = true;
    this.#changedSinceScan = false;
    this.#lastScanAt = this.#o.now();
    try {
      const { disk } = await client.cacheStats();
      if (client !== this.#client) return;
      this.#disk = { entries: disk.entries, bytes: disk.bytes };
      this.#schedule(0);
    } catch (err) {
      // A closed client (rebuilt or shutting down) is not worth a log line.
      if ((err as { code?: unknown }).code !== 'E_ABORTED') this.#o.onError?.(err);
    } finally {
      this.#scanning = false;
    }
    // Changes during the scan: scan again when due.
    this.#scheduleScan();
  }

  #cancelFlush(): void {
    if (this.#flushTimer !== undefined) this.#o.timers.clear(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#flushDue = Infinity;
  }

  #cancelScan(): void {
    if (this.#scanTimer !== undefined) this.#o.timers.clear(this.#scanTimer);
    this.#scanTimer = undefined;
    this.#scanDue = Infinity;
  }
}
