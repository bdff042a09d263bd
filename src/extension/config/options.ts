import * as vscode from 'vscode';
import type { MarketplaceClientOptions } from '../../core';
import { loadEngine } from '../client/loadEngine';
import { Commands, SETTINGS_SECTION } from '../constants';
import { l10n } from '../l10n';
import { loadDisplay } from '../lazy/loadDisplay';
import type { DerivedProxy, ProxyChecks } from './proxy';
import type { TokenStore } from './secrets';
import type { ProxyOptions, ReadResult, SettingProblem, Settings } from './settings';

/**
 * Settings, secrets and proxy → the engine's options, each time the engine opens (first use and
 * every rebuild). Problems are logged each time and notified once: one warning naming the setting,
 * never again for the same problem in this window.
 */
export class OptionsBuilder {
  readonly #notified = new Set<string>();
  /** One Metrics for every engine this window opens, so counters and rates survive a rebuild. */
  #metrics: MarketplaceClientOptions['metrics'];
  #problems: string[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly tokens: TokenStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The settings as they are now (display settings, warm-up count, cache limits); cheap and synchronous. */
  settings(): Settings {
    return this.read().settings;
  }

  /** Every problem found by the last build, formatted (for the e2e API and the log). */
  get problems(): readonly string[] {
    return this.#problems;
  }

  /** The HTTP options of the current settings (timeouts, retries, proxy), for a temporary client such as Add Marketplace's check. */
  httpOptions(): MarketplaceClientOptions['http'] {
    const { settings } = this.read();
    return loadDisplay().toClientOptions({ ...settings, marketplaces: [], includeSampleMarketplace: false }, this.#context(new Map(), this.proxy())).http;
  }

  readonly build = async (): Promise<MarketplaceClientOptions> => {
    const { toClientOptions, formatProblem, describeProxy } = loadDisplay();
    const { settings, problems, ignoredInRestrictedMode } = this.read();
    const proxy = this.proxy();
    const tokens = await this.tokens.getAll(settings.marketplaces.filter((m) => !m.url.startsWith('file:')).map((m) => m.id));
    const options = toClientOptions(settings, this.#context(tokens, proxy));
    options.metrics = this.#metrics ??= new (loadEngine().Metrics)();

    const all = [...problems, ...proxy.problems];
    this.#problems = all.map(formatProblem);
    for (const p of this.#problems) this.log.warn(`Setting ignored: ${p}`);
    for (const key of ignoredInRestrictedMode) this.log.info(`Restricted Mode: the workspace value of ${key} is ignored; only your user settings count`);
    // Effective settings, never a token: ids and whether a token is set.
    this.log.info(
      `Engine options: marketplaces ${options.sources.map((s) => `${s.id}${s.headers ? ' (token)' : ''}`).join(', ') || 'none'}; ` +
        `memory ${settings.cache.memoryEntries} entries/${settings.cache.memoryMB} MB, disk ${settings.cache.diskMB} MB; ` +
        `refresh ${settings.catalogRefreshMinutes} min; concurrency ${settings.downloadConcurrency}; ` +
        `timeout ${settings.network.timeoutSeconds} s, retries ${settings.network.retries}; prefetch ${settings.prefetchCount}, related ${settings.prefetchRelated}; proxy ${describeProxy(proxy)}`,
    );
    this.#notify(all);
    return options;
  };

  read(): ReadResult {
    const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    return loadDisplay().readSettings({ get: (key) => cfg.get(key), inspect: (key) => cfg.inspect(key) }, { trusted: vscode.workspace.isTrusted });
  }

  proxy(): DerivedProxy {
    const http = vscode.workspace.getConfiguration('http');
    const { checkOptions } = loadEngine();
    // The engine's own parser decides which bypass entries and header values it takes; a bad one is dropped, not fatal.
    const problemWith = (proxy: ProxyOptions): string | undefined => {
      try {
        checkOptions({ sources: [{ id: 'x', url: 'https://x.invalid/', publicKey: 'x' }], cacheDir: 'x', http: { proxy } });
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const checks: ProxyChecks = {
      noProxyEntry: (entry) => problemWith({ url: 'http://proxy.invalid', noProxy: [entry] })?.replace(/^.*?(is not a usable entry|noProxy):\s*/, ''),
      authorization: (value) => problemWith({ url: 'http://proxy.invalid', authorization: value }),
    };
    return loadDisplay().deriveProxy({ settings: { proxy: http.get('proxy'), strictSSL: http.get('proxyStrictSSL'), noProxy: http.get('noProxy'), authorization: http.get('proxyAuthorization') }, env: process.env }, checks);
  }

  #context(tokens: ReadonlyMap<string, string>, proxy: DerivedProxy) {
    const { sampleSource } = loadEngine();
    const version = (this.context.extension?.packageJSON as { version?: string } | undefined)?.version ?? '0';
    return {
      sample: sampleSource(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'sample-marketplace').fsPath),
      // The disk tier and the trust file: shared by every window (the disk cache is safe for that).
      cacheDir: this.context.globalStorageUri.fsPath,
      tokens,
      ...(proxy.proxy ? { proxy: proxy.proxy } : {}),
      userAgent: `template-marketplace-vscode/${version} vscode/${vscode.version}`,
    };
  }

  /** One warning for the problems not shown yet: the first one in full, the count of the rest. */
  #notify(problems: readonly SettingProblem[]): void {
    const { formatProblem, settingOf } = loadDisplay();
    const fresh = problems.filter((p) => !this.#notified.has(formatProblem(p)));
    if (fresh.length === 0) return;
    for (const p of fresh) this.#notified.add(formatProblem(p));
    const first = fresh[0]!;
    const message =
      fresh.length === 1
        ? l10n.t('Template Marketplace ignored a setting: {0}', formatProblem(first))
        : l10n.t('Template Marketplace ignored {0} settings: {1} (and {2} more in the log)', fresh.length, formatProblem(first), fresh.length - 1);
    const open = l10n.t('Open Settings');
    const showLog = l10n.t('Show Log');
    void vscode.window.showWarningMessage(message, open, showLog).then((picked) => {
      // An environment variable (HTTPS_PROXY, NO_PROXY) is overridden by VS Code's own proxy setting.
      if (picked === open) void vscode.commands.executeCommand(Commands.openSettings, first.setting.includes('.') ? settingOf(first) : 'http.proxy');
      else if (picked === showLog) this.log.show(true);
    });
  }
}
