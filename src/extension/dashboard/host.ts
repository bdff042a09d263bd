import * as vscode from 'vscode';
import type { HostMessage } from '../../protocol/dashboard';
import type { Dashboard } from './panel';

export const DASHBOARD_VIEW_TYPE = 'templateMarketplace.dashboard';

/** What the e2e tests (through the extension's API) may see of the dashboard. */
export interface DashboardApi {
  isOpen(): boolean;
  /** The last `metrics/didChange` message posted to the webview. */
  lastPosted(): HostMessage | undefined;
  /** Problems the webview reported (CSP violations, uncaught errors). */
  webviewFailures(): string[];
  /** How many times a webview of this panel said `webview/ready` (its script ran). */
  readyCount(): number;
}

/**
 * Registers the panel's serializer (restore after a reload) at activation; the panel itself
 * (panel.ts, in the deferred bundle) is created by `load` when Show Dashboard runs or a panel is
 * restored, once. Until then the API answers for a dashboard that was never open.
 */
export function createDashboard(load: () => Dashboard): { show(): void; api: DashboardApi; disposables: vscode.Disposable[] } {
  let dashboard: Dashboard | undefined;
  const get = (): Dashboard => (dashboard ??= load());
  const serializer = vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel) => get().revive(panel),
  });
  const api: DashboardApi = {
    isOpen: () => dashboard?.api.isOpen() ?? false,
    lastPosted: () => dashboard?.api.lastPosted(),
    webviewFailures: () => dashboard?.api.webviewFailures() ?? [],
    readyCount: () => dashboard?.api.readyCount() ?? 0,
  };
  return { show: () => get().show(), api, disposables: [serializer, { dispose: () => dashboard?.dispose() }] };
}
