/**
 * Who is still using a replaced engine. A command holds a lease on the client it works with for
 * as long as it runs; a rebuild closes the old client only once its last lease is released.
 * Pure (no `vscode`): unit-tested.
 *
 * `acquire` and `drain` are decided synchronously, so a lease can never be taken on a client that
 * has started closing: once `drain` has resolved for an item, `acquire` refuses it.
 */
export class Leases<T> {
  readonly #held = new Map<T, number>();
  readonly #waiters = new Map<T, (() => void)[]>();
  readonly #drained = new WeakSet<object>();

  /** Takes a lease on `item`: the returned release is idempotent. Undefined once `item` is drained. */
  acquire(item: T & object): (() => void) | undefined {
    if (this.#drained.has(item)) return undefined;
    this.#held.set(item, (this.#held.get(item) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#held.get(item) ?? 1) - 1;
      if (left > 0) {
        this.#held.set(item, left);
        return;
      }
      this.#held.delete(item);
      const waiters = this.#waiters.get(item) ?? [];
      this.#waiters.delete(item);
      for (const wake of waiters) wake();
    };
  }

  /** How many leases on `item` are held now. */
  held(item: T): number {
    return this.#held.get(item) ?? 0;
  }

  /**
   * Resolves once nobody holds a lease on `item`, and from then on refuses new ones: the caller
   * may close it. Marking happens in the same turn as the last check, so no lease slips in between.
   */
  async drain(item: T & object): Promise<void> {
    while (this.held(item) > 0) {
      await new Promise<void>((resolve) => this.#waiters.set(item, [...(this.#waiters.get(item) ?? []), resolve]));
    }
    this.#drained.add(item);
  }
}
