import type { ListedTemplate } from '../catalog/types';
import type { MarketplaceError } from '../errors';
import type { Tier } from '../metrics/metrics';

/** Progress of a batch, per item and in total; sent as things happen. */
export type BatchProgress =
  | { type: 'start'; ref: string; totals: BatchTotals }
  | { type: 'bytes'; ref: string; received: number; size: number | undefined; totals: BatchTotals }
  | { type: 'done'; ref: string; from: Tier; bytes: number; totals: BatchTotals }
  | { type: 'failed'; ref: string; error: MarketplaceError; totals: BatchTotals };

export interface BatchTotals {
  total: number;
  done: number;
  failed: number;
  /** Package bytes completed so far (from any tier). */
  bytes: number;
}

export type BatchItemResult =
  | { ref: string; ok: true; template: ListedTemplate; bytes: Uint8Array; from: Tier }
  | { ref: string; ok: false; error: MarketplaceError };

export interface BatchResult {
  items: BatchItemResult[];
  totals: BatchTotals;
  elapsedMs: number;
}

export interface BatchOptions {
  /** Parallel downloads; defaults to the client's `concurrency` (8). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (event: BatchProgress) => void;
}

/** The outcome of checking one template: signature, size and digest, or why it could not be checked. */
export type VerifyOutcome =
  | { ref: string; ok: true; cached: boolean }
  | { ref: string; ok: false; cached: boolean; error: MarketplaceError };
