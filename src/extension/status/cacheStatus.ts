import * as vscode from 'vscode';
import type { MarketplaceClient } from '../../core';
import type { ClientHost } from '../client/clientHost';
import type { OptionsBuilder } from '../config/options';
import { Commands, STATUS_BAR_ID } from '../constants';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { BusyCounter } from '../state/busy';
import { loadDisplay } from '../lazy/loadDisplay';
import type { CacheLimits, CacheSizes, StatusInputs } from './format';
import { untrustedMarkdown } from '../ui/markdown';

/** At most this many updates per second (the metrics themselves emit at most every 250 ms). */
const MIN_UPDATE_INTERVAL_MS = 250;
/** Cache sizes need a disk scan: asked for at most this often, and only after something changed. */
const SIZES_INTERVAL_MS = 5_000;
/** "Checked 3 min ago" ages even when nothing happens. */
const AGE_REFRESH_MS = 30_000;

/**
 * The one status bar item: cache hit ratio and templates/s, spinning while a batch runs, with a
 * Markdown tooltip of tiers, latencies, sizes and catalog freshness. Created once the engine first
 * opens (there are no metrics before), live on `templateMarketplace.statusBar.enabled`.
 */
export class CacheStatusBar implements vscode.Disposable {
  #item: vscode.StatusBarItem | undefined;
  #client: MarketplaceClient | undefined;
  #clientSubscriptions: { dispose(): void }[] = [];
  readonly #disposables: { dispose(): void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #lastUpdate = 0;
  #sizes: CacheSizes | undefined;
  #sizesAt = 0;
  #sizesPending = false;
  /** Metrics changed since the sizes were last asked for: only then is a new disk scan worth it. */
  #sizesDirty = true;
  #limits: CacheLimits | undefined;
  #tooltip: string | undefined;

  constructor(
    host: ClientHost,
    private readonly busy: BusyCounter,
    private readonly options: OptionsBuilder,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.#disposables.push(
      host.onDidChangeClient((client) => this.#attach(client)),
      busy.onDidChange((isBusy) => {
        // A batch just ended: its effect on the cache sizes is worth a look now.
        if (!isBusy) this.#sizesAt = 0;
        this.#schedule();
      }),
      { dispose: () => clearTimeout(this.#timer) },
    );
    if (host.current) this.#attach(host.current);
  }

  /** The item's text, or undefined while there is no item (engine not open yet, or turned off). */
  get text(): string | undefined {
    return this.#item?.text;
  }

  /** The item's Markdown tooltip source. */
  get tooltip(): string | undefined {
    return this.#item ? this.#tooltip : undefined;
  }

  /** Applies `statusBar.enabled`: creates or disposes the item in place. */
  applySettings(): void {
    const enabled = this.options.settings().statusBar.enabled;
    if (enabled && !this.#item && this.#client) this.#create();
    else if (!enabled && this.#item) this.#destroy();
  }

  /** Everything the formatters need, as of now. */
  #inputs(client: MarketplaceClient): StatusInputs {
    return {
      snapshot: client.metrics.snapshot(),
      busy: this.busy.busy,
      ...(this.#sizes ? { sizes: this.#sizes } : {}),
      limits: this.#limits ?? this.#readLimits(),
      sources: client.status(),
      now: Date.now(),
    };
  }

  #attach(client: MarketplaceClient): void {
    for (const s of this.#clientSubscriptions.splice(0)) s.dispose();
    this.#client = client;
    this.#limits = this.#readLimits();
    this.#sizes = undefined;
    this.#sizesAt = 0;
    this.#sizesDirty = true;
    this.#clientSubscriptions.push(
      client.onDidChangeMetrics(() => {
        this.#sizesDirty = true;
        this.#schedule();
      }),
      client.onDidChangeCatalogs(() => this.#schedule()),
    );
    if (this.options.settings().statusBar.enabled && !this.#item) this.#create();
    else this.#schedule();
  }

  #create(): void {
    const item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Right, 100);
    item.name = l10n.t('Template Marketplace Cache');
    item.command = { title: l10n.t('Show Dashboard'), command: Commands.showDashboard };
    item.text = '$(database)';
    this.#item = item;
    this.#tooltip = undefined;
    item.show();
    this.#ticker = setInterval(() => this.#schedule(), AGE_REFRESH_MS);
    this.#update();
  }

  #destroy(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.#item?.dispose();
    this.#item = undefined;
    this.#tooltip = undefined;
  }

  #schedule(): void {
    if (!this.#item || this.#timer) return;
    const wait = Math.max(0, MIN_UPDATE_INTERVAL_MS - (Date.now() - this.#lastUpdate));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#update();
    }, wait);
  }

  #update(): void {
    const item = this.#item;
    const client = this.#client;
    if (!item || !client) return;
    this.#lastUpdate = Date.now();
    let inputs: StatusInputs;
    try {
      inputs = this.#inputs(client);
    } catch (err) {
      this.log.debug(`Status bar: ${describeError(err)}`);
      return;
    }
    const { statusAccessibilityLabel, statusText, statusTooltip } = loadDisplay();
    const text = statusText(inputs.snapshot, inputs.busy);
    if (item.text !== text) {
      item.text = text;
      item.accessibilityInformation = { label: statusAccessibilityLabel(inputs.snapshot, inputs.busy), role: 'button' };
    }
    const tooltip = statusTooltip(inputs);
    if (tooltip !== this.#tooltip) {
      this.#tooltip = tooltip;
      item.tooltip = untrustedMarkdown(tooltip, true);
    }
    if (this.#sizesDirty && Date.now() - this.#sizesAt > SIZES_INTERVAL_MS && !this.#sizesPending) {
      void this.#fetchSizes(client).then(() => this.#schedule());
    }
  }

  async #fetchSizes(client: MarketplaceClient): Promise<void> {
    this.#sizesPending = true;
    this.#sizesDirty = false;
    try {
      const stats = await client.cacheStats();
      if (client === this.#client) {
        this.#sizes = { memory: stats.memory, disk: { entries: stats.disk.entries, bytes: stats.disk.bytes } };
        this.#sizesAt = Date.now();
      }
    } catch (err) {
      // A closed (replaced) engine or a busy disk: keep the last sizes.
      this.#sizesAt = Date.now();
      this.log.debug(`Status bar: cache sizes unavailable: ${describeError(err)}`);
    } finally {
      this.#sizesPending = false;
    }
  }

  #readLimits(): CacheLimits {
    const { cache } = this.options.settings();
    const MB = 1024 * 1024;
    return { memoryEntries: cache.memoryEntries, memoryBytes: Math.round(cache.memoryMB * MB), diskBytes: Math.round(cache.diskMB * MB) };
  }

  dispose(): void {
    for (const s of this.#clientSubscriptions.splice(0)) s.dispose();
    for (const d of this.#disposables.splice(0)) d.dispose();
    this.#destroy();
  }
}
