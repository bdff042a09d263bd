import * as vscode from 'vscode';
import type { MarketplaceClient } from '../core';
import { ClientHost } from './client/clientHost';
import { loadEngine } from './client/loadEngine';
import { deferredCommands } from './commands/deferred';
import { registerCommands, type CommandTable } from './commands/index';
import { loadCommands } from './commands/loadCommands';
import { OptionsBuilder } from './config/options';
import { TokenStore } from './config/secrets';
import { ConfigWatcher } from './config/watcher';
import { Commands } from './constants';
import { createDashboard, type DashboardApi } from './dashboard/host';
import { setTranslator } from './l10n';
import { loadDisplay } from './lazy/loadDisplay';
import { preload } from './lazy/preload';
import { createLog } from './log';
import { registerPreviews } from './preview/host';
import type { Services } from './services';
import { BusyCounter } from './state/busy';
import { InstallSignal } from './state/installSignal';
import { VerificationStore } from './state/verificationStore';
import { CacheStatusBar } from './status/cacheStatus';
import { ReadonlyDocuments } from './ui/readonlyDocs';
import { MergeFileSystem } from './update/mergeFs';
import { UpdateUndoSaver } from './update/undoSaver';
import { createTemplatesView, treeApi, type TemplatesTreeApi } from './views/index';
import { createInstalledView, installedApi, type InstalledTreeApi } from './views/installed/index';

/** What other extensions and the e2e tests can reach: `extensions.getExtension(id).exports`. */
export interface TemplateMarketplaceApi {
  /** The engine, opened on first call. */
  client(): Promise<MarketplaceClient>;
  /** Fires with each engine once it is open: the first, and each one a settings, token or trust change makes. */
  readonly onDidChangeClient: vscode.Event<MarketplaceClient>;
  /** The cache status bar item's text; undefined before the engine opens or with `statusBar.enabled: false`. */
  statusBarText(): string | undefined;
  /** The item's Markdown tooltip source, undefined when there is no item. */
  statusBarTooltip(): string | undefined;
  /** The settings problems of the last engine open, each `templateMarketplace.<key>[…]: message`. */
  settingsProblems(): readonly string[];
  /** True while a user-started batch (install, verify, warm-up) runs. */
  isBusy(): boolean;
  /** The Marketplace tree's data (marketplaces → categories → templates), as the view gets it. */
  readonly tree: TemplatesTreeApi;
  /** The Installed Templates view's data (folders → installed templates → changed files). */
  readonly installed: InstalledTreeApi;
  /** The dashboard panel: whether it is open and what it last posted to its webview. */
  readonly dashboard: DashboardApi;
}

let host: ClientHost | undefined;

/**
 * The composition root. It creates the log first, then each part, and registers each disposable
 * at once. It stays cheap: the display bundle and the engine bundle are required right after it
 * (in the background), the engine is opened on first use, and the commands bundle is required on
 * the first command; never here.
 */
export function activate(context: vscode.ExtensionContext): TemplateMarketplaceApi {
  setTranslator(vscode.l10n.t);
  const log = createLog();
  context.subscriptions.push(log);

  const tokens = new TokenStore(context.secrets);
  const options = new OptionsBuilder(context, tokens, log);
  host = new ClientHost(options.build, log);
  context.subscriptions.push(host);
  const busy = new BusyCounter();
  const documents = new ReadonlyDocuments();
  const merges = new MergeFileSystem();
  const updateUndo = new UpdateUndoSaver(log);
  context.subscriptions.push(documents, merges, updateUndo);
  const services: Services = { context, log, host, verification: new VerificationStore(), options, tokens, busy, documents, merges, updateUndo, installs: new InstallSignal() };

  const watcher = new ConfigWatcher(host, context.secrets, log);
  context.subscriptions.push(watcher);
  const statusBar = new CacheStatusBar(host, busy, options, log);
  context.subscriptions.push(statusBar, watcher.onDidChangeDisplay(() => statusBar.applySettings()));

  const installedView = createInstalledView(services);
  context.subscriptions.push(...installedView.disposables);
  const templatesView = createTemplatesView(services, installedView.provider);
  context.subscriptions.push(...templatesView.disposables);

  const previews = registerPreviews((changed) => loadCommands().createPreviews(services, changed));
  context.subscriptions.push(...previews.disposables);

  const dashboard = createDashboard(() => loadCommands().createDashboardPanel(services));
  context.subscriptions.push(...dashboard.disposables);

  // Every command but Show Dashboard (whose panel the dashboard host loads) is implemented in
  // dist/commands.js, required on the first one.
  const views = { installed: installedView.provider, templates: templatesView.provider, previews: previews.previews };
  const deferred = Object.values(Commands).filter((id) => id !== Commands.showDashboard);
  const commands: CommandTable = {
    ...deferredCommands(deferred, () => loadCommands().commandTable(services, views)),
    [Commands.showDashboard]: () => dashboard.show(),
  };
  context.subscriptions.push(...registerCommands(commands, services));
  // After activation returns, not during it: the user is about to see the views and use the engine.
  context.subscriptions.push(preload(loadDisplay, loadEngine));

  return {
    client: () => services.host.get(),
    onDidChangeClient: services.host.onDidChangeClient,
    statusBarText: () => statusBar.text,
    statusBarTooltip: () => statusBar.tooltip,
    settingsProblems: () => options.problems,
    isBusy: () => busy.busy,
    tree: treeApi(templatesView.provider),
    installed: installedApi(installedView.provider),
    dashboard: dashboard.api,
  };
}

/** VS Code waits for the returned promise: the engine finishes its writes and closes its sockets. */
export function deactivate(): Promise<void> | undefined {
  const closing = host?.close();
  host = undefined;
  return closing;
}
