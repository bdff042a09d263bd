import * as vscode from 'vscode';
import type { MarketplaceClient, MarketplaceClientOptions } from '../../core';
import { describeError } from '../log';
import { Leases } from './leases';
import { loadEngine } from './loadEngine';

/** Builds the engine's options from the current settings and secrets (config/). */
export type OptionsProvider = () => Promise<MarketplaceClientOptions>;

/**
 * Owns the one `MarketplaceClient`: opened lazily on first use (activation never waits on disk or
 * network), rebuilt when settings, secrets or the proxy change, and closed with the extension.
 * A rebuild opens the new client first and closes the old one only after work in flight on it
 * has settled, so nothing the user started is lost: commands that write (install, update, verify)
 * hold a lease on their client through `use()`, and a replaced client closes only once its last
 * lease is released (`close()` of the client itself waits only for its own background work).
 */
export class ClientHost implements vscode.Disposable {
  #client: Promise<MarketplaceClient> | undefined;
  #opened: MarketplaceClient | undefined;
  #generation = 0;
  #disposed = false;
  /** Someone asked for the engine: from then on, settings changes reopen it, even after a failed open. */
  #wanted = false;
  readonly #closing = new Set<Promise<void>>();
  readonly #leases = new Leases<MarketplaceClient>();
  /** Resolves on shutdown: replaced clients still waiting for their commands close right away. */
  #shutdown!: () => void;
  readonly #shuttingDown = new Promise<void>((resolve) => (this.#shutdown = resolve));
  readonly #onDidChangeClient = new vscode.EventEmitter<MarketplaceClient>();
  /** Fires with each client once it is open: the first one, and each one a rebuild makes. */
  readonly onDidChangeClient = this.#onDidChangeClient.event;
  readonly #onDidFailToOpen = new vscode.EventEmitter<unknown>();
  /**
   * Fires when opening failed (e.g. the settings leave no valid marketplace): views that showed
   * the previous client's data must reload and show the failure instead.
   */
  readonly onDidFailToOpen = this.#onDidFailToOpen.event;

  constructor(
    private readonly options: OptionsProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The client, opening it on first use. Rejects (with the engine's error) if the options are invalid. */
  get(): Promise<MarketplaceClient> {
    if (this.#disposed) return Promise.reject(new Error('Template Marketplace is shutting down'));
    this.#wanted = true;
    return (this.#client ??= this.#open(this.#generation));
  }

  /**
   * Runs `work` with the client, which stays open until `work` settles even if a settings change
   * replaces it meanwhile. Use it for anything that must not be cut off halfway (an install).
   */
  async use<T>(work: (client: MarketplaceClient) => Promise<T>): Promise<T> {
    // A client that has just started closing refuses the lease: take the one that replaced it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const client = await this.get();
      const release = this.#leases.acquire(client);
      if (!release) continue;
      try {
        return await work(client);
      } finally {
        release();
      }
    }
    throw new Error('The marketplace engine was replaced repeatedly; try again');
  }

  /** The client if it is already open; never opens one. */
  get current(): MarketplaceClient | undefined {
    return this.#opened;
  }

  /** Reopens the engine with fresh options, e.g. after a settings change. No-op before first use. */
  async rebuild(reason: string): Promise<void> {
    if (this.#disposed || !this.#wanted) return;
    this.log.info(`Reopening the marketplace engine (${reason})`);
    const previous = this.#client;
    const generation = ++this.#generation;
    this.#client = this.#open(generation);
    if (previous) this.#retire(previous);
    await this.#client.catch(() => undefined);
  }

  async #open(generation: number): Promise<MarketplaceClient> {
    const started = performance.now();
    try {
      const { MarketplaceClient } = loadEngine();
      const client = await MarketplaceClient.open(await this.options());
      if (generation !== this.#generation || this.#disposed) {
        // Superseded while opening: nobody will use it.
        this.#retire(Promise.resolve(client));
        return this.#client ?? client;
      }
      this.#opened = client;
      this.log.info(`Marketplace engine open in ${(performance.now() - started).toFixed(1)} ms`);
      this.#onDidChangeClient.fire(client);
      return client;
    } catch (err) {
      this.log.error(`Could not open the marketplace engine: ${describeError(err)}`);
      if (generation === this.#generation) {
        this.#client = undefined; // the next get() retries
        this.#opened = undefined;
        this.#onDidFailToOpen.fire(err);
      }
      throw err;
    }
  }

  /**
   * Closes a replaced client once the commands holding it have finished (on shutdown: right
   * away); its `close()` waits for its own background work.
   */
  #retire(client: Promise<MarketplaceClient>): void {
    const closing = client
      .then(async (c) => {
        await Promise.race([this.#leases.drain(c), this.#shuttingDown]);
        await c.close();
      })
      .catch((err: unknown) => this.log.warn(`Closing a replaced engine failed: ${describeError(err)}`))
      .finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  /** Closes the current client; `deactivate` returns this promise so VS Code waits for it. */
  async close(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#shutdown();
    if (this.#client) this.#retire(this.#client);
    this.#opened = undefined;
    this.#onDidChangeClient.dispose();
    this.#onDidFailToOpen.dispose();
    await Promise.allSettled([...this.#closing]);
  }

  dispose(): void {
    void this.close();
  }
}
