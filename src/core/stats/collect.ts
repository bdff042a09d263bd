import type { SourceState, SourceStatus } from '../catalog/types';
import type { MarketplaceClient } from '../client/MarketplaceClient';
import type { MetricsSnapshot } from '../metrics/snapshot';
import { displayText } from '../util/displayText';
import type { CacheLimits, Occupancy, SourceStateName, SourceSummary, StatsSnapshot } from './types';

// The snapshot's state names must stay the engine's: this line stops compiling if either side changes.
const _sameStates: [SourceState, SourceStateName] extends [SourceStateName, SourceState] ? true : never = true;
void _sameStates;

export interface StatsInput {
  metrics: MetricsSnapshot;
  memory: { entries: number; bytes: number };
  /** Leave out to report the disk tier as not scanned. */
  disk?: { entries: number; bytes: number };
  limits: CacheLimits;
  sources: readonly SourceStatus[];
  now: number;
}

/** Pure: the parts the engine reports → one plain-data snapshot (no Error objects, no class instances). */
export function buildStats(input: StatsInput): StatsSnapshot {
  const { metrics, memory, disk, limits, now } = input;
  const occupancy: Occupancy = {
    memory: { entries: memory.entries, maxEntries: limits.memory.maxEntries, bytes: memory.bytes, maxBytes: limits.memory.maxBytes },
    disk: disk ? { entries: disk.entries, bytes: disk.bytes, maxBytes: limits.disk.maxBytes } : undefined,
  };
  return { metrics, occupancy, sources: input.sources.map((s) => summarise(s, now)), at: now };
}

/** Names and messages can quote a catalog or a server: neutralised (controls, bidi) and bounded before anyone shows them. */
function summarise(s: SourceStatus, now: number): SourceSummary {
  const error = s.error ? { code: String((s.error as { code?: unknown }).code ?? 'unknown'), message: displayText(s.error.message, { maxLength: 300 }) } : undefined;
  return {
    id: s.id,
    name: displayText(s.name, { maxLength: 120 }),
    url: s.url,
    state: s.state,
    ...(s.version !== undefined ? { version: s.version } : {}),
    ...(s.expires !== undefined ? { expires: s.expires } : {}),
    expired: s.expired,
    templates: s.templates,
    ...(s.checkedAt !== undefined ? { checkedAt: s.checkedAt, ageMs: Math.max(0, now - s.checkedAt) } : {}),
    ...(error ? { error } : {}),
  };
}

/**
 * Everything at once, for one-off callers such as the CLI. Live views call `buildStats` with a disk
 * scan of their own, throttled: `cacheStats()` lists the whole cache folder.
 */
export async function collectStats(client: MarketplaceClient, now: () => number = Date.now): Promise<StatsSnapshot> {
  const cache = await client.cacheStats();
  return buildStats({
    metrics: client.metrics.snapshot(),
    memory: cache.memory,
    disk: cache.disk,
    limits: client.limits(),
    sources: client.status(),
    now: now(),
  });
}
