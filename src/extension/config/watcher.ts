import * as vscode from 'vscode';
import type { ClientHost } from '../client/clientHost';
import { TokenStore } from './secrets';
import { loadDisplay } from '../lazy/loadDisplay';

/** The Settings UI fires per keystroke: changes closer together than this make one rebuild. */
export const REBUILD_DEBOUNCE_MS = 300;

/**
 * The extension's one configuration listener. Engine settings (marketplaces, caches, network,
 * proxy), a token and a granted workspace trust rebuild the engine, debounced; display settings
 * (`statusBar.enabled`) are applied in place through `onDidChangeDisplay`.
 */
export class ConfigWatcher implements vscode.Disposable {
  readonly #disposables: vscode.Disposable[] = [];
  readonly #reasons = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  readonly #onDidChangeDisplay = new vscode.EventEmitter<void>();
  /** `templateMarketplace.statusBar.*` changed. */
  readonly onDidChangeDisplay = this.#onDidChangeDisplay.event;

  constructor(
    private readonly host: ClientHost,
    secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.#disposables.push(
      this.#onDidChangeDisplay,
      vscode.workspace.onDidChangeConfiguration((e) => {
        const change = loadDisplay().classifyChange((section) => e.affectsConfiguration(section));
        if (change.statusBar) this.#onDidChangeDisplay.fire();
        if (change.engine) this.schedule('settings changed');
      }),
      secrets.onDidChange((e) => {
        if (TokenStore.isTokenKey(e.key)) this.schedule('a marketplace token changed');
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule('the workspace is now trusted')),
      { dispose: () => clearTimeout(this.#timer) },
    );
  }

  /** Rebuilds the engine once the changes have settled. */
  schedule(reason: string): void {
    this.#reasons.add(reason);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const reasons = [...this.#reasons].join(', ');
      this.#reasons.clear();
      this.host.rebuild(reasons).catch((err: unknown) => this.log.error(`Rebuild failed: ${String(err)}`));
    }, REBUILD_DEBOUNCE_MS);
  }

  dispose(): void {
    for (const d of this.#disposables.splice(0)) d.dispose();
  }
}
