import * as vscode from 'vscode';
import type { MarketplaceClient } from '../core';
import { ClientHost } from './client/clientHost';
import { registerCommands, type CommandTable } from './commands/index';
import { buildOptions } from './config/options';
import { Commands } from './constants';
import { createDashboard, type DashboardApi } from './dashboard/panel';
import { setTranslator } from './l10n';
import { createLog } from './log';
import type { Services } from './services';
import { VerificationStore } from './state/verificationStore';
import { createTemplatesView, treeApi, type TemplatesTreeApi } from './views/index';

/** What other extensions and the e2e tests can reach: `extensions.getExtension(id).exports`. */
export interface TemplateMarketplaceApi {
  /** The engine, opened on first call. */
  client(): Promise<MarketplaceClient>;
  /** The Marketplace tree's data (marketplaces → categories → templates), as the view gets it. */
  readonly tree: TemplatesTreeApi;
  /** The dashboard panel: whether it is open and what it last posted to its webview. */
  readonly dashboard: DashboardApi;
}

let host: ClientHost | undefined;

/**
 * The composition root. It creates the log first, then each part, and registers each disposable
 * at once. It stays cheap: the engine bundle is required and opened on first use, never here.
 */
export function activate(context: vscode.ExtensionContext): TemplateMarketplaceApi {
  setTranslator(vscode.l10n.t);
  const log = createLog();
  context.subscriptions.push(log);

  host = new ClientHost(buildOptions(context), log);
  context.subscriptions.push(host);
  const services: Services = { context, log, host, verification: new VerificationStore() };

  const templatesView = createTemplatesView(services);
  context.subscriptions.push(...templatesView.disposables);

  const dashboard = createDashboard(services);
  context.subscriptions.push(...dashboard.disposables);

  const commands: CommandTable = { ...templatesView.commands, [Commands.showDashboard]: () => dashboard.dashboard.show() };
  context.subscriptions.push(...registerCommands(commands, services));

  return { client: () => services.host.get(), tree: treeApi(templatesView.provider), dashboard: dashboard.dashboard.api };
}

/** VS Code waits for the returned promise: the engine finishes its writes and closes its sockets. */
export function deactivate(): Promise<void> | undefined {
  const closing = host?.close();
  host = undefined;
  return closing;
}
