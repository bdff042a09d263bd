import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MarketplaceNode } from '../../../src/extension/views/nodes';
import { activate, runCommand } from './support';

describe('the Marketplace tree', () => {
  // What the view's Refresh button does: the tree reloads from the engine as it is now.
  before(() => runCommand('refresh'));

  it('shows marketplaces → categories → templates, from the engine', async () => {
    const { api } = await activate();
    const sources = await api.tree.getChildren();
    assert.deepEqual(sources.map((s) => s.kind), ['source'], 'one marketplace: the embedded sample');
    const source = sources[0]!;
    assert.equal(api.tree.getTreeItem(source).collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'a lone marketplace starts expanded');

    const categories = await api.tree.getChildren(source);
    const names = categories.map((c) => (c.kind === 'category' ? c.name : c.kind)).sort();
    assert.deepEqual(names, ['documentation', 'file', 'project']);

    const templates: MarketplaceNode[] = [];
    for (const category of categories) templates.push(...(await api.tree.getChildren(category)));
    assert.equal(templates.length, 20, 'every sample template is under its category');
    const readme = templates.find((t) => t.kind === 'template' && t.ref === 'samples/readme');
    assert.ok(readme, 'README is listed');
    assert.equal(api.tree.getParent(readme)?.kind, 'category');

    const item = api.tree.getTreeItem(readme);
    // The version leads the description (an install by an earlier suite adds "· installed").
    assert.ok(String(item.description).startsWith((readme as { template: { version: string } }).template.version), `the version leads the description: ${String(item.description)}`);
    assert.ok(item.iconPath instanceof vscode.ThemeIcon, 'a codicon per category');
    assert.match(String(item.contextValue), /^template(:|$)/);
    assert.match(item.accessibilityInformation?.label ?? '', /version/);
    const tooltip = item.tooltip as vscode.MarkdownString;
    assert.ok(tooltip instanceof vscode.MarkdownString, 'a Markdown hover');
    assert.ok(!tooltip.isTrusted, 'catalog text is never trusted markdown');
    assert.match(tooltip.value, /Template Marketplace/, 'names the author');
  });

  it('reveals a template in the view', async () => {
    const { api } = await activate();
    await vscode.commands.executeCommand('templateMarketplace.views.templates.focus');
    assert.equal(await api.tree.reveal('samples/adr'), true);
  });
});
