import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HostMessage } from '../../../src/protocol/dashboard';
import { activate } from './support';

const SHOW = 'templateMarketplace.showDashboard';

/** Dashboard tabs in every group: VS Code prefixes an extension's webview viewType with its own id. */
function dashboardTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('templateMarketplace.dashboard'));
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up; never a fixed sleep. */
async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type MetricsMessage = Extract<HostMessage, { method: 'metrics/didChange' }>;

describe('dashboard', () => {
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Dashboard opens one panel, and a second call reveals that same panel', async () => {
    const { api } = await activate();
    await vscode.commands.executeCommand(SHOW);
    await until('the panel', () => api.dashboard.isOpen());
    await until('one dashboard tab', () => dashboardTabs().length === 1);
    // Move the focus elsewhere, then show it again: still one.
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await vscode.commands.executeCommand(SHOW);
    await until('the dashboard tab to be active again', () => dashboardTabs()[0]?.isActive);
    assert.equal(dashboardTabs().length, 1, 'no second panel');
  });

  it('posts a snapshot that reflects the hits of a batch', async () => {
    const { api } = await activate();
    await vscode.commands.executeCommand(SHOW);
    const client = await api.client();
    const refs = (await client.list()).slice(0, 5).map((t) => t.ref);
    await client.downloadBatch(refs);
    const before = client.metrics.snapshot().tiers.memory.hits;
    await client.downloadBatch(refs); // now from memory
    const posted = await until('a posted snapshot with the memory hits', () => {
      const m = api.dashboard.lastPosted() as MetricsMessage | undefined;
      return m && m.params.snapshot.metrics.tiers.memory.hits >= before + refs.length ? m : undefined;
    });
    const { snapshot } = posted.params;
    assert.equal(posted.v, 1);
    assert.ok(snapshot.metrics.hitRatio > 0, `hit ratio ${snapshot.metrics.hitRatio}`);
    assert.ok(snapshot.occupancy.memory.entries >= refs.length, JSON.stringify(snapshot.occupancy));
    assert.equal(snapshot.sources[0]?.state, 'fresh');
    assert.ok(posted.params.samples.length > 0);
    assert.deepEqual(JSON.parse(JSON.stringify(snapshot)).metrics.tiers, snapshot.metrics.tiers, 'plain data');
  });

  it('the webview reports no CSP violation and no error', async () => {
    const { api } = await activate();
    await vscode.commands.executeCommand(SHOW);
    // The webview says ready once its script has run; it listens for violations before anything else.
    await until('the webview to be ready', () => api.dashboard.readyCount() > 0);
    await until('a posted snapshot', () => api.dashboard.lastPosted());
    assert.deepEqual(api.dashboard.webviewFailures(), []);
  });

  it('closing the panel disposes it; Show Dashboard opens a new one', async () => {
    const { api } = await activate();
    await vscode.commands.executeCommand(SHOW);
    await until('one dashboard tab', () => dashboardTabs().length === 1);
    await vscode.window.tabGroups.close(dashboardTabs());
    await until('the panel to be gone', () => !api.dashboard.isOpen());
    assert.equal(api.dashboard.lastPosted(), undefined, 'nothing left of the closed panel');
    await vscode.commands.executeCommand(SHOW);
    await until('a new panel', () => api.dashboard.isOpen() && dashboardTabs().length === 1);
  });
});
