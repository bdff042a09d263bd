/**
 * The webview's state, as a pure reducer over the host's messages, and the chart series derived
 * from it. No DOM here: the unit tests run it in Node.
 */
import type { ChartRange, HostMessage, HostState, MeasureState, Sample, StatsSnapshot, UiState } from '../../protocol/dashboard';

export interface ViewState {
  snapshot: StatsSnapshot | undefined;
  /** The session's samples, oldest first, as the host recorded them. */
  samples: Sample[];
  host: HostState;
  measure: MeasureState;
  ui: UiState;
}

/** Keep at most this many samples in the webview (the host thins its own history long before). */
export const MAX_SAMPLES = 5_000;

export function initialState(ui: UiState): ViewState {
  return { snapshot: undefined, samples: [], host: { engine: 'opening', running: [] }, measure: { status: 'idle' }, ui };
}

export function reduce(state: ViewState, message: HostMessage): ViewState {
  switch (message.method) {
    case 'metrics/didChange': {
      const { snapshot, samples, replace } = message.params;
      const merged = replace ? samples.slice() : appendSamples(state.samples, samples);
      return { ...state, snapshot, samples: merged.length > MAX_SAMPLES ? merged.slice(merged.length - MAX_SAMPLES) : merged };
    }
    case 'state/didChange':
      return { ...state, host: message.params.state };
    case 'measure/didChange':
      return { ...state, measure: message.params.measure };
  }
}

/** Appends in time order; a sample not newer than the last one (a repeat) is dropped. */
function appendSamples(existing: Sample[], added: Sample[]): Sample[] {
  const out = existing.slice();
  for (const s of added) {
    const last = out.at(-1);
    if (!last || s.t > last.t) out.push(s);
  }
  return out;
}

export function withRange(state: ViewState, range: ChartRange): ViewState {
  return { ...state, ui: { ...state.ui, range } };
}

const RANGE_MS: Record<ChartRange, number> = { '1m': 60_000, '5m': 300_000, all: Infinity };

/** The samples inside the chosen range, counted back from the newest sample (not the wall clock). */
export function visibleSamples(samples: readonly Sample[], range: ChartRange): Sample[] {
  const newest = samples.at(-1);
  if (!newest) return [];
  const from = newest.t - RANGE_MS[range];
  return samples.filter((s) => s.t >= from);
}

/** uPlot's column layout: x in seconds, then one array per series. */
export type Columns = [number[], ...number[][]];

/** Hit ratio chart: overall, memory, disk, in percent. */
export function hitRatioColumns(samples: readonly Sample[]): Columns {
  return [samples.map((s) => s.t / 1000), samples.map((s) => pct(s.hit)), samples.map((s) => pct(s.memory)), samples.map((s) => pct(s.disk))];
}

/** Throughput chart: downloaded templates/s, served templates/s, downloaded MB/s. */
export function throughputColumns(samples: readonly Sample[]): Columns {
  return [samples.map((s) => s.t / 1000), samples.map((s) => s.tps), samples.map((s) => s.served), samples.map((s) => s.bps / 1_000_000)];
}

function pct(ratio: number): number {
  return Math.round(Math.min(1, Math.max(0, ratio)) * 1000) / 10;
}

/** Latency rows in a stable, meaningful order: the engine's known operations first, then the rest by name. */
const KNOWN_OPS = ['catalog', 'search', 'download', 'verify', 'verifyBatch', 'install'];
export function latencyRows(snapshot: StatsSnapshot | undefined): Array<{ op: string; count: number; p50: number; p95: number; p99: number; max: number }> {
  if (!snapshot) return [];
  const rank = (op: string) => (KNOWN_OPS.includes(op) ? KNOWN_OPS.indexOf(op) : KNOWN_OPS.length);
  return Object.entries(snapshot.metrics.latency)
    .map(([op, l]) => ({ op, ...l }))
    .sort((a, b) => rank(a.op) - rank(b.op) || a.op.localeCompare(b.op));
}

/** Counts keyed by code, largest first (ties by code), for the "by reason" and "by code" lists. */
export function countRows(counts: Record<string, number> | undefined): Array<{ code: string; count: number }> {
  return Object.entries(counts ?? {})
    .filter(([, n]) => n > 0)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** Share of a limit in use, 0…1 (0 when the limit is unknown). */
export function fill(used: number, limit: number): number {
  return limit > 0 ? Math.min(1, Math.max(0, used / limit)) : 0;
}

/** What the Measure button does and whether it can be pressed. */
export function measureButton(state: ViewState): { action: 'start' | 'cancel'; enabled: boolean } {
  if (state.measure.status === 'running') return { action: 'cancel', enabled: true };
  return { action: 'start', enabled: state.host.engine === 'open' };
}
