import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activate } from './support';

/**
 * Runs in a folder that VS Code has not trusted (workspace trust on, Restricted Mode), whose own
 * .vscode/settings.json names a marketplace "planted" and turns the sample off (test/e2e/run.ts
 * writes it). A cloned repository must not be able to point the user at a marketplace and a key
 * of its own: in Restricted Mode only the user's settings count (VS Code hides the workspace values
 * of the manifest's restrictedConfigurations, and config/settings.ts reads only the user's values).
 */
describe('Restricted Mode (an untrusted folder)', () => {
  it('ignores the marketplaces the workspace settings name, and serves the user\'s', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'VS Code opened the folder in Restricted Mode');
    assert.equal(vscode.workspace.getConfiguration('e2e').inspect('planted')?.workspaceValue, true, "the folder's settings file is read");
    // VS Code hides the workspace values of the settings the manifest lists as restrictedConfigurations.
    assert.equal(vscode.workspace.getConfiguration('templateMarketplace').inspect('marketplaces')?.workspaceValue, undefined);

    const { api } = await activate();
    const client = await api.client();
    assert.deepEqual(client.status().map((s) => s.id), ['samples'], 'the sample (the user\'s default), not the planted marketplace');
    const roots = await api.tree.getChildren();
    assert.deepEqual(roots.map((n) => n.id), ['source/samples']);
    assert.equal((await client.list()).length, 20, 'the sample is served in full');
  });
});
