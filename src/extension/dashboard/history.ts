import type { StatsSnapshot } from '../../core';
import type { Sample } from '../../protocol/dashboard';

/** Pure: the numbers of a snapshot that the charts plot over time. */
export function toSample(s: StatsSnapshot): Sample {
  const m = s.metrics;
  return {
    t: s.at,
    hit: m.hitRatio,
    memory: m.tiers.memory.hitRatio,
    disk: m.tiers.disk.hitRatio,
    network: m.tiers.network.hitRatio,
    tps: m.throughput.templatesPerSec,
    bps: m.throughput.bytesPerSec,
    served: m.throughput.servedPerSec,
  };
}

/**
 * The session's samples in bounded memory. When full, the older half is thinned to every other
 * sample, so the series always spans the whole session, with full resolution for the recent part.
 */
export class SampleHistory {
  #samples: Sample[] = [];

  constructor(readonly capacity = 1_200) {
    if (!(capacity >= 4)) throw new RangeError('SampleHistory needs a capacity of at least 4');
  }

  push(sample: Sample): void {
    this.#samples.push(sample);
    if (this.#samples.length > this.capacity) {
      const half = Math.floor(this.#samples.length / 2);
      // Every other one, always keeping the first: the start of the session stays in the series.
      const older = this.#samples.slice(0, half).filter((_, i) => i % 2 === 0);
      this.#samples = [...older, ...this.#samples.slice(half)];
    }
  }

  all(): Sample[] {
    return [...this.#samples];
  }

  get length(): number {
    return this.#samples.length;
  }

  clear(): void {
    this.#samples = [];
  }
}
