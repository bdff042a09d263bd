import * as vscode from 'vscode';
import type { MarketplaceClient } from '../../core';
import { loadEngine } from '../client/loadEngine';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { Services } from '../services';
import { errorMessage } from '../ui/errorMessages';
import { notification, parseWebviewMessage, PROTOCOL_VERSION, type ActionId, type HostMessage, type HostState, type WebviewMessage } from '../../protocol/dashboard';
import { runAction } from './actions';
import { DashboardFeed } from './feed';
import { dashboardHtml, newNonce } from './html';
import { DASHBOARD_VIEW_TYPE, type DashboardApi } from './host';
import { MeasureController } from './measure';

/**
 * The one dashboard panel: created or revealed by Show Dashboard, restored after a reload by the
 * serializer. `retainContextWhenHidden` stays off: while hidden nothing is posted, and the webview
 * asks for everything again (`webview/ready`) when it shows. Everything it creates is disposed with it.
 */
export class Dashboard implements vscode.Disposable {
  #panel: vscode.WebviewPanel | undefined;
  #panelDisposables: vscode.Disposable[] = [];
  #feed: DashboardFeed | undefined;
  #measure: MeasureController | undefined;
  #state: HostState = { engine: 'opening', running: [] };
  readonly #failures: string[] = [];
  #ready = 0;

  constructor(private readonly services: Services) {}

  /** Show Dashboard: reveals the open panel, or opens one beside nothing else. */
  show(): void {
    if (this.#panel) {
      this.#panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, l10n.t('Template Marketplace Dashboard'), vscode.ViewColumn.Active, this.#options());
    this.#setUp(panel);
  }

  /** The serializer restores a panel after a reload. */
  revive(panel: vscode.WebviewPanel): void {
    if (this.#panel) {
      // Cannot happen with one serializer, but never keep two.
      panel.dispose();
      this.#panel.reveal();
      return;
    }
    this.#setUp(panel);
  }

  readonly api: DashboardApi = {
    isOpen: () => this.#panel !== undefined,
    lastPosted: () => this.#feed?.lastPosted,
    webviewFailures: () => [...this.#failures],
    readyCount: () => this.#ready,
  };

  dispose(): void {
    this.#panel?.dispose(); // fires onDidDispose → #tearDown
    this.#tearDown();
  }

  #options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const root = this.services.context.extensionUri;
    return {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(root, 'dist', 'webview'), vscode.Uri.joinPath(root, 'media')],
    };
  }

  #setUp(panel: vscode.WebviewPanel): void {
    this.#panel = panel;
    const d = this.#panelDisposables;
    const webview = panel.webview;
    webview.options = this.#options();
    panel.iconPath = vscode.Uri.joinPath(this.services.context.extensionUri, 'media', 'templates.svg');

    this.#feed = new DashboardFeed({
      post: (message) => this.#post(message),
      buildStats: loadEngine().buildStats,
      onError: (err) => this.services.log.warn(`Dashboard: ${describeError(err)}`),
    });
    this.#measure = new MeasureController(
      (client, opts) => loadEngine().measureTiers(client, opts),
      (measure) => this.#post(notification('measure/didChange', { measure })),
      (err) => errorMessage(err).message,
    );

    webview.onDidReceiveMessage((raw: unknown) => this.#onMessage(raw), undefined, d);
    panel.onDidChangeViewState(() => this.#feed?.setVisible(panel.visible), undefined, d);
    panel.onDidDispose(() => this.#tearDown(), undefined, d);
    this.services.host.onDidChangeClient((client) => this.#attach(client), undefined, d);

    const root = this.services.context.extensionUri;
    webview.html = dashboardHtml({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview', 'dashboard.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview', 'dashboard.css')).toString(),
      title: l10n.t('Template Marketplace Dashboard'),
      bootstrap: { v: PROTOCOL_VERSION, locale: vscode.env.language, ...(vscode.l10n.bundle ? { l10n: vscode.l10n.bundle } : {}) },
    });
    this.#feed.setVisible(panel.visible);

    // Opening the dashboard is a use of the engine: open it if it is not yet.
    const current = this.services.host.current;
    if (current) this.#attach(current);
    else {
      this.#setState({ engine: 'opening', running: this.#state.running });
      this.services.host.get().then(
        (client) => this.#attach(client),
        (err: unknown) => this.#setState({ engine: 'failed', engineError: errorMessage(err).message, running: [] }),
      );
    }
  }

  #attach(client: MarketplaceClient): void {
    if (!this.#panel) return;
    this.#feed?.attach(client);
    if (this.#state.engine !== 'open') this.#setState({ engine: 'open', running: this.#state.running });
  }

  #tearDown(): void {
    if (!this.#panel) return;
    this.#panel = undefined;
    this.#measure?.dispose();
    this.#measure = undefined;
    this.#feed?.dispose();
    this.#feed = undefined;
    for (const d of this.#panelDisposables.splice(0)) d.dispose();
    this.#state = { engine: 'opening', running: [] };
    this.#ready = 0;
  }

  #post(message: HostMessage): void {
    const panel = this.#panel;
    // Hidden webviews cannot receive messages: the feed holds back, and everything else is resent on ready.
    if (!panel || !panel.visible) return;
    void panel.webview.postMessage(message);
  }

  #setState(state: HostState): void {
    this.#state = state;
    this.#post(notification('state/didChange', { state }));
  }

  #onMessage(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.services.log.warn('Dashboard: ignored a message the webview should not send');
      return;
    }
    void this.#handle(message).catch((err: unknown) => this.services.log.error(`Dashboard: ${message.method}: ${describeError(err)}`));
  }

  async #handle(message: WebviewMessage): Promise<void> {
    switch (message.method) {
      case 'webview/ready':
        this.#ready++;
        this.#post(notification('state/didChange', { state: this.#state }));
        if (this.#measure) this.#post(notification('measure/didChange', { measure: this.#measure.state }));
        this.#feed?.resync();
        return;
      case 'action/run':
        return this.#run(message.params.action);
      case 'measure/start': {
        const client = this.services.host.current;
        if (client && this.#measure) await this.#measure.start(client);
        return;
      }
      case 'measure/cancel':
        this.#measure?.cancel();
        return;
      case 'webview/didFail': {
        const line = `${message.params.kind}: ${message.params.message}`;
        if (this.#failures.length < 100) this.#failures.push(line);
        this.services.log.error(`Dashboard webview: ${line}`);
        return;
      }
    }
  }

  async #run(action: ActionId): Promise<void> {
    if (this.#state.running.includes(action)) return;
    this.#setState({ ...this.#state, running: [...this.#state.running, action] });
    try {
      await runAction(action, async () => {
        const snapshot = this.#feed?.latest ?? (this.services.host.current ? await loadEngine().collectStats(this.services.host.current) : undefined);
        return JSON.stringify(snapshot ?? {}, null, 2);
      });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'E_ABORTED') {
        this.services.log.error(`Dashboard: ${action}: ${describeError(err)}`);
        void vscode.window.showErrorMessage(errorMessage(err).message);
      }
    } finally {
      if (this.#panel) this.#setState({ ...this.#state, running: this.#state.running.filter((a) => a !== action) });
    }
  }
}
