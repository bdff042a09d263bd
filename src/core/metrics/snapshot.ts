/**
 * The plain data of a metrics snapshot, free of any import so that the dashboard's webview bundle
 * and its protocol can use the types without pulling in Node.
 */

/** Where a read was served from: the in-memory cache, the disk cache or the marketplace. */
export type Tier = 'memory' | 'disk' | 'network';

/** Latencies of one operation, in ms. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface MetricsSnapshot {
  tiers: Record<Tier, { hits: number; misses: number; hitRatio: number }>;
  /** (memory hits + disk hits) / (memory hits + memory misses): the share of reads served from a cache. */
  hitRatio: number;
  compression: { rawBytes: number; storedBytes: number; bytesSaved: number };
  /**
   * Over the sliding window that ends at the snapshot. `templatesPerSec` and `bytesPerSec` count
   * packages downloaded from a marketplace; `served…` count packages handed out from any tier.
   */
  throughput: { windowMs: number; templatesPerSec: number; bytesPerSec: number; servedPerSec: number; servedBytesPerSec: number };
  totals: { downloads: number; downloadedBytes: number; errors: number };
  /** `totals.errors` by error code (`E_NETWORK`, `E_SIGNATURE`, …; `unknown` when a failure had none). */
  errorsByCode: Record<string, number>;
  /** Per operation name, e.g. 'catalog', 'download', 'verify', 'install'. */
  latency: Record<string, LatencySummary>;
  /** `verified` counts successful verifications, `cacheHits` those answered from a cache. */
  verification: { verified: number; cacheHits: number; failures: number };
  /** `verification.failures` by reason: the error code of each refusal (`E_SIGNATURE`, `E_INTEGRITY`, …). */
  verificationFailures: Record<string, number>;
  /** Epoch ms when the snapshot was taken. */
  at: number;
}

