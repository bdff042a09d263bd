import type { MarketplaceClient, MeasureProgress, TierMeasurement } from '../../core';
import type { MeasureState } from '../../protocol/dashboard';

export type MeasureFn = (client: MarketplaceClient, opts: { signal: AbortSignal; onProgress: (p: MeasureProgress) => void }) => Promise<TierMeasurement>;

/**
 * Runs "Measure the tiers" one at a time and reports its state as complete snapshots. Cancelling
 * aborts the engine's batch; the engine removes its throwaway folder either way. No `vscode` here.
 */
export class MeasureController {
  #state: MeasureState = { status: 'idle' };
  #abort: AbortController | undefined;
  #lastProgressAt = 0;

  constructor(
    private readonly measure: MeasureFn,
    private readonly onChange: (state: MeasureState) => void,
    private readonly describe: (err: unknown) => string,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): MeasureState {
    return this.#state;
  }

  get running(): boolean {
    return this.#abort !== undefined;
  }

  /** Starts unless one is running; resolves when it has finished, failed or been cancelled. */
  async start(client: MarketplaceClient): Promise<void> {
    if (this.#abort) return;
    const abort = (this.#abort = new AbortController());
    this.#set({ status: 'running', progress: { phase: 'preparing', done: 0, total: 0 } });
    try {
      const result = await this.measure(client, {
        signal: abort.signal,
        onProgress: (progress) => {
          if (abort.signal.aborted) return;
          // Phase changes always, item progress at most 10 times a second.
          const t = this.now();
          const previous = this.#state.status === 'running' ? this.#state.progress : undefined;
          if (previous?.phase === progress.phase && progress.done < progress.total && t - this.#lastProgressAt < 100) return;
          this.#lastProgressAt = t;
          this.#set({ status: 'running', progress });
        },
      });
      this.#set(abort.signal.aborted ? { status: 'cancelled' } : { status: 'done', result });
    } catch (err) {
      this.#set(abort.signal.aborted || (err as { code?: unknown }).code === 'E_ABORTED' ? { status: 'cancelled' } : { status: 'failed', message: this.describe(err) });
    } finally {
      this.#abort = undefined;
    }
  }

  cancel(): void {
    this.#abort?.abort();
  }

  dispose(): void {
    this.cancel();
  }

  #set(state: MeasureState): void {
    this.#state = state;
    this.onChange(state);
  }
}
