/**
 * How many user-started batches (install, verify, warm-up) are running. The status bar spins while
 * the count is above zero. Pure, so the commands and the status bar share it without `vscode`.
 */
export class BusyCounter {
  #count = 0;
  readonly #listeners = new Set<(busy: boolean) => void>();

  get busy(): boolean {
    return this.#count > 0;
  }

  /** Counts `work` as busy until it settles, whether it succeeds or fails. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.#set(this.#count + 1);
    try {
      return await work();
    } finally {
      this.#set(this.#count - 1);
    }
  }

  /** The listener hears `busy` each time it flips; `dispose` unsubscribes. */
  onDidChange(listener: (busy: boolean) => void): { dispose(): void } {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  }

  #set(count: number): void {
    const was = this.busy;
    this.#count = Math.max(0, count);
    if (was !== this.busy) for (const l of [...this.#listeners]) l(this.busy);
  }
}
