import type { MetricsSnapshot, Tier } from '../metrics/snapshot';

/**
 * What the dashboard, the status bar and `template-marketplace stats` show, as plain JSON data.
 * This file imports nothing with a runtime (only ../metrics/snapshot), so the webview bundle and its
 * protocol can use these types without pulling in Node.
 */
export interface StatsSnapshot {
  /** Counters, ratios, throughput and latencies of this client since it opened. */
  metrics: MetricsSnapshot;
  occupancy: Occupancy;
  sources: SourceSummary[];
  /** Epoch ms when it was taken. */
  at: number;
}

export interface Occupancy {
  memory: { entries: number; maxEntries: number; bytes: number; maxBytes: number };
  /** `undefined` until the disk tier has been scanned (a scan reads the cache folder, so callers throttle it). */
  disk: { entries: number; bytes: number; maxBytes: number } | undefined;
}

/** Mirrors the engine's SourceState (checked where the snapshot is built). */
export type SourceStateName = 'fresh' | 'stale' | 'offline' | 'error' | 'empty';

export interface SourceSummary {
  id: string;
  name: string;
  url: string;
  state: SourceStateName;
  /** The served catalog's `version`, `expires` and whether it is past that. */
  version?: number;
  expires?: string;
  expired: boolean;
  templates: number;
  /** When the marketplace last confirmed the catalog (epoch ms), and how long before `at` that was. */
  checkedAt?: number;
  ageMs?: number;
  /** The last failure, as code and message (never an Error object: this is plain data). */
  error?: { code: string; message: string };
}

/** The limits the client was opened with: what occupancy is measured against. */
export interface CacheLimits {
  memory: { maxEntries: number; maxBytes: number };
  disk: { maxBytes: number };
}

/** One way through the tiers in "Measure the tiers". */
export interface TierRun {
  /** The tier the run was meant to exercise: cold means from the marketplace. */
  tier: Tier;
  templates: number;
  failed: number;
  bytes: number;
  elapsedMs: number;
  templatesPerSec: number;
  bytesPerSec: number;
  /** How many items the intended tier actually served (all of them, unless something was evicted). */
  fromIntendedTier: number;
}

export interface TierMeasurement {
  refs: string[];
  /** Each way ran this many times; the figures are those of the fastest round. */
  rounds: number;
  cold: TierRun;
  disk: TierRun;
  memory: TierRun;
  /** Speed-ups (templates/s over templates/s). */
  ratios: { diskOverCold: number; memoryOverCold: number; memoryOverDisk: number };
  at: number;
}

export type MeasurePhase = 'preparing' | 'cold' | 'disk' | 'memory' | 'cleaning';

export interface MeasureProgress {
  phase: MeasurePhase;
  done: number;
  total: number;
}
