import { buildStats, Metrics, type StatsSnapshot } from '../../src/core';
import type { Sample } from '../../src/protocol/dashboard';

/** A snapshot as the host builds it, from a Metrics the test drives. */
export function snapshot(drive: (m: Metrics) => void = () => undefined, at = 1_700_000_000_000): StatsSnapshot {
  const m = new Metrics({ now: () => at });
  drive(m);
  return buildStats({
    metrics: m.snapshot(),
    memory: { entries: 3, bytes: 3_000 },
    disk: { entries: 5, bytes: 9_000 },
    limits: { memory: { maxEntries: 500, maxBytes: 64 << 20 }, disk: { maxBytes: 256 << 20 } },
    sources: [{ id: 'samples', name: 'Samples', url: 'file:///s/', state: 'fresh', version: 3, expires: '2099-12-31T00:00:00Z', expired: false, templates: 20, checkedAt: at - 60_000 }],
    now: at,
  });
}

export function sample(t: number, fields: Partial<Sample> = {}): Sample {
  return { t, hit: 0.5, memory: 0.4, disk: 0.2, network: 0, tps: 1, bps: 1_000, served: 2, ...fields };
}
