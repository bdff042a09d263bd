export interface Disposable {
  dispose(): void;
}

/** A minimal typed event emitter, shaped like VS Code's so the extension can forward events as they are. */
export class Emitter<T> {
  private readonly listeners = new Set<(event: T) => void>();

  readonly event = (listener: (event: T) => void): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A failing listener must not break the engine or the other listeners.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
