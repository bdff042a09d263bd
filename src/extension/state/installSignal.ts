/**
 * Tells the views that files were installed or updated in a folder (the install and update
 * commands fire it), so the Installed Templates view and the Marketplace tree's marks follow at
 * once instead of waiting for the file watcher. Pure, like BusyCounter.
 */
export class InstallSignal {
  readonly #listeners = new Set<(dir: string) => void>();

  fire(dir: string): void {
    for (const l of [...this.#listeners]) l(dir);
  }

  onDidChange(listener: (dir: string) => void): { dispose(): void } {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  }
}
