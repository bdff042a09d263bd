/**
 * What this window last learned about each template's verification (by ref). The verify commands
 * record into it; the tree's tooltips and context values read it. Pure, so it is unit-tested.
 */
export type VerificationState = { ok: true; at: number } | { ok: false; at: number; code: string; reason: string };

type Listener = (refs: readonly string[]) => void;

export class VerificationStore {
  readonly #states = new Map<string, VerificationState>();
  readonly #listeners = new Set<Listener>();

  get(ref: string): VerificationState | undefined {
    return this.#states.get(ref);
  }

  record(results: ReadonlyArray<{ ref: string; state: VerificationState }>): void {
    if (results.length === 0) return;
    for (const r of results) this.#states.set(r.ref, r.state);
    const refs = results.map((r) => r.ref);
    for (const l of [...this.#listeners]) l(refs);
  }

  /** A new catalog or a cleared cache makes what we knew stale. */
  clear(): void {
    const refs = [...this.#states.keys()];
    this.#states.clear();
    if (refs.length > 0) for (const l of [...this.#listeners]) l(refs);
  }

  /** Subscribes; the returned object's `dispose` unsubscribes (a vscode.Disposable shape). */
  onDidChange(listener: Listener): { dispose(): void } {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  }
}
