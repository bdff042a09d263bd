import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { FixtureServer, MarketplaceFixture, type FixtureTemplate } from '../../helpers/marketplaceFixture';
import { activate, restoreSampleMarketplace, runCommand, useOnlyMarketplace, waitUntil, workspaceDir } from './support';

const V1: FixtureTemplate = { id: 'notes', version: '1.0.0', files: { 'NOTES.md': '# {{projectName}}\nline 2\nline 3\n', 'KEEP.md': 'kept\n', 'LOGO.bin': 'logo v1\u0000' } };
const V2: FixtureTemplate = { id: 'notes', version: '2.0.0', files: { 'NOTES.md': '# {{projectName}}\nline 2 from v2\nline 3\n', 'KEEP.md': 'kept\n', 'NEW.md': 'new in v2\n', 'LOGO.bin': 'logo v2\u0000' } };

const V4: FixtureTemplate = {
  ...V2,
  version: '4.0.0',
  variables: [
    { name: 'projectName', prompt: 'Project name', default: 'demo', pattern: '[a-z-]+' },
    { name: 'owner', prompt: 'Owner', pattern: '[a-z]+' },
  ],
  files: { ...V2.files, 'NOTES.md': '# {{projectName}}\nline 2 from v3\nline 3\n', 'KEEP.md': 'kept by {{owner}}\n' },
};

interface UpdateResult {
  status: string;
  fromVersion?: string;
  toVersion?: string;
  files: { path: string; kind: string; resolution?: string; unresolvedRegions?: number }[];
  conflicts?: string[];
  message?: string;
}

/** The merge editor tab's input: `vscode.TabInputTextMerge` (a class VS Code creates, typed only in a proposal). */
function mergeInputOf(tab: vscode.Tab): { base: vscode.Uri; input1: vscode.Uri; input2: vscode.Uri; result: vscode.Uri } | undefined {
  const MergeInput = (vscode as unknown as { TabInputTextMerge?: abstract new (...args: never[]) => unknown }).TabInputTextMerge;
  assert.ok(MergeInput, 'vscode.TabInputTextMerge exists at runtime');
  return tab.input instanceof MergeInput ? (tab.input as ReturnType<typeof mergeInputOf>) : undefined;
}

function mergeTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => mergeInputOf(t) !== undefined);
}

/** A loopback marketplace publishes v1, the workspace installs it, the user edits it, v2 is published. */
describe('Installed Templates and Update Template (loopback marketplace, v1 → v2)', () => {
  let server: FixtureServer;
  let fixture: MarketplaceFixture;
  const dir = () => join(workspaceDir(), 'update-e2e');
  /** The folder's bytes just before, and just after, the merge update (for Undo and Redo). */
  let beforeUpdate: Map<string, string | undefined>;
  let afterUpdate: Map<string, string | undefined>;
  const snapshot = () => new Map(['NOTES.md', 'KEEP.md', 'NEW.md', 'LOGO.bin', '.template-marketplace.json'].map((f) => [f, existsSync(join(dir(), f)) ? readFileSync(join(dir(), f), 'utf8') : undefined]));

  before(async () => {
    fixture = new MarketplaceFixture([V1]);
    server = await FixtureServer.start(fixture);
    const { api } = await activate();
    const client = await useOnlyMarketplace(api, { id: 'upd', url: server.url, publicKey: fixture.publicKey, name: 'Updates' });
    assert.deepEqual(client.status().map((s) => s.id), ['upd']);
  });

  after(async () => {
    const { api } = await activate();
    await restoreSampleMarketplace(api);
    await server.close();
  });

  it('after installing v1 and publishing v2, the Installed Templates view shows "update available"', async () => {
    const { api } = await activate();
    mkdirSync(dir(), { recursive: true });
    const installed = await runCommand<{ status: string }>('installTemplate', { ref: 'upd/notes', targetDir: dir(), variables: { projectName: 'acme' }, open: false });
    assert.equal(installed.status, 'installed', JSON.stringify(installed));
    await api.installed.refresh();
    let row = await findInstalled(api, 'upd/notes');
    assert.match(String(api.installed.getTreeItem(row).description), /up to date/);

    // The user edits line 2; the publisher changes the same line in v2.
    writeFileSync(join(dir(), 'NOTES.md'), '# acme\nline 2 edited by me\nline 3\n');
    fixture.publish([V2], { version: 2 });
    const client = await api.client();
    await client.refresh({ force: true });
    await api.installed.refresh();
    row = await findInstalled(api, 'upd/notes');
    const item = api.installed.getTreeItem(row);
    assert.match(String(item.description), /update available: 2\.0\.0/);
    assert.match(String(item.description), /1 file modified/);
    assert.match(item.contextValue ?? '', /:canUpdate/, 'the inline Update action shows');
    const files = await api.installed.getChildren(row);
    assert.deepEqual(files.map((f) => api.installed.getTreeItem(f).label), ['NOTES.md']);

    // The Marketplace tree marks it too (once it has reloaded from this marketplace).
    let marked: vscode.TreeItem | undefined;
    await waitUntil(async () => {
      const source = (await api.tree.getChildren()).find((n) => n.id === 'source/upd');
      const [category] = source ? await api.tree.getChildren(source) : [];
      const template = category ? (await api.tree.getChildren(category)).find((n) => n.kind === 'template' && n.ref === 'upd/notes') : undefined;
      marked = template ? api.tree.getTreeItem(template) : undefined;
      return marked !== undefined;
    }, 'the Marketplace tree lists upd/notes');
    assert.match(String(marked!.description), /update available/);
    assert.match(marked!.contextValue ?? '', /^template:.*canUpdate/);
  });

  it('Update on a conflicting file opens the merge editor; accepting it writes the merged file and updates the record', async () => {
    const { api } = await activate();
    beforeUpdate = snapshot();
    const running = runCommand<UpdateResult>('updateTemplate', { id: 'upd/notes', dir: dir(), merge: true, confirmed: true });
    await waitUntil(() => mergeTabs().length === 1, 'the merge editor shows the conflicting file');
    const tab = mergeTabs()[0]!;
    const input = mergeInputOf(tab)!;
    assert.equal(input.input1.fsPath, join(dir(), 'NOTES.md'), 'yours: the file in the workspace');
    assert.equal(input.input2.scheme, 'template-marketplace-doc', 'theirs: the new version, read-only');
    assert.equal(input.base.scheme, 'template-marketplace-doc', 'base: the installed version, read-only');
    assert.equal(readFileSync(join(dir(), 'NOTES.md'), 'utf8'), '# acme\nline 2 edited by me\nline 3\n', 'nothing is written while merging');

    // Resolve as a user does: edit the result, save it, close the merge editor.
    const merged = '# acme\nline 2 edited by me, and from v2\nline 3\n';
    const result = await vscode.workspace.openTextDocument(input.result);
    // The merge editor rewrites the result as it initialises (markers out, the base in their place):
    // wait for that, then edit until the user's text stays.
    await waitUntil(() => !/^<{7}/m.test(result.getText()), 'the merge editor has initialised the result');
    await waitUntil(async () => {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(input.result, new vscode.Range(result.positionAt(0), result.positionAt(result.getText().length)), merged);
      return (await vscode.workspace.applyEdit(edit)) && result.getText() === merged;
    }, 'the merge result holds the user\'s text');
    assert.ok(await result.save());
    await vscode.window.tabGroups.close(tab);

    const r = await running;
    assert.equal(r.status, 'updated', JSON.stringify(r));
    assert.deepEqual([r.fromVersion, r.toVersion], ['1.0.0', '2.0.0']);
    assert.deepEqual(r.files, [
      { path: 'LOGO.bin', kind: 'update' },
      { path: 'NEW.md', kind: 'added' },
      { path: 'NOTES.md', kind: 'conflict', resolution: 'merged' },
    ]);
    assert.equal(readFileSync(join(dir(), 'NOTES.md'), 'utf8'), merged);
    assert.equal(readFileSync(join(dir(), 'NEW.md'), 'utf8'), 'new in v2\n');
    const record = JSON.parse(readFileSync(join(dir(), '.template-marketplace.json'), 'utf8')) as { entries: { template: { id: string; version: string } }[] };
    assert.deepEqual(record.entries.map((e) => [e.template.id, e.template.version]), [['notes', '2.0.0']]);

    await api.installed.refresh();
    const row = await findInstalled(api, 'upd/notes');
    assert.match(String(api.installed.getTreeItem(row).description), /^2\.0\.0 · /);
    afterUpdate = snapshot();
  });

  it('one Undo in an editor takes the whole update back, files and record, on disk; Redo applies it again', async () => {
    const { api } = await activate();
    // As a user would: in the editor of an updated file, Edit > Undo.
    await vscode.window.showTextDocument(vscode.Uri.file(join(dir(), 'NOTES.md')));
    await vscode.commands.executeCommand('undo');
    const unsaved = () => vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.fsPath.startsWith(dir())).map((d) => d.uri.fsPath);
    await waitUntil(() => same(snapshot(), beforeUpdate) && unsaved().length === 0, 'the folder is back to its bytes before the update, nothing left unsaved').catch((err: Error) => {
      throw new Error(`${err.message}\non disk: ${JSON.stringify([...snapshot()])}\nbefore: ${JSON.stringify([...beforeUpdate])}\nunsaved: ${unsaved().join(', ')}`);
    });
    assert.equal(existsSync(join(dir(), 'NEW.md')), false, 'the added file is gone');
    assert.equal(readFileSync(join(dir(), 'LOGO.bin'), 'utf8'), 'logo v1\u0000', 'a binary file has its old bytes again');
    await api.installed.refresh();
    const description = String(api.installed.getTreeItem(await findInstalled(api, 'upd/notes')).description);
    assert.match(description, /update available: 2\.0\.0/, `the record says 1.0.0 again: ${description}`);

    await vscode.commands.executeCommand('redo');
    await waitUntil(() => same(snapshot(), afterUpdate) && unsaved().length === 0, 'the folder is updated again, nothing left unsaved');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('refuses an unresolved conflict through its arguments and writes nothing', async () => {
    const { api } = await activate();
    // v3 changes the line again; the merged line 2 on disk conflicts with it.
    fixture.publish([{ ...V2, version: '3.0.0', files: { ...V2.files, 'NOTES.md': '# {{projectName}}\nline 2 from v3\nline 3\n' } }], { version: 3 });
    await (await api.client()).refresh({ force: true });
    const before = readFileSync(join(dir(), 'NOTES.md'), 'utf8');
    const r = await runCommand<UpdateResult>('updateTemplate', { id: 'notes', dir: dir(), confirmed: true });
    assert.equal(r.status, 'conflict', JSON.stringify(r));
    assert.deepEqual(r.conflicts, ['NOTES.md']);
    assert.equal(readFileSync(join(dir(), 'NOTES.md'), 'utf8'), before);
    // With a resolution it applies.
    const done = await runCommand<UpdateResult>('updateTemplate', { id: 'notes', dir: dir(), confirmed: true, resolutions: { 'NOTES.md': '# acme\nmine\n' } });
    assert.equal(done.status, 'updated', JSON.stringify(done));
    assert.equal(readFileSync(join(dir(), 'NOTES.md'), 'utf8'), '# acme\nmine\n');
  });

  it('asks for a variable the new version adds: refused without an answer, applied with one', async () => {
    const { api } = await activate();
    fixture.publish([V4], { version: 4 });
    await (await api.client()).refresh({ force: true });
    const refused = await runCommand<UpdateResult & { code?: string }>('updateTemplate', { id: 'notes', dir: dir(), confirmed: true });
    assert.deepEqual([refused.status, refused.code], ['failed', 'E_UPDATE_VARIABLES'], JSON.stringify(refused));
    assert.equal(readFileSync(join(dir(), 'KEEP.md'), 'utf8'), 'kept\n');
    const done = await runCommand<UpdateResult>('updateTemplate', { id: 'notes', dir: dir(), confirmed: true, variables: { owner: 'ops' } });
    assert.equal(done.status, 'updated', JSON.stringify(done));
    assert.equal(readFileSync(join(dir(), 'KEEP.md'), 'utf8'), 'kept by ops\n');
    const record = JSON.parse(readFileSync(join(dir(), '.template-marketplace.json'), 'utf8')) as { entries: { template: { version: string }; variables: Record<string, string> }[] };
    assert.deepEqual([record.entries[0]!.template.version, record.entries[0]!.variables.owner], ['4.0.0', 'ops']);
  });

  it('a merge completed with a conflict left says so (the region keeps the installed text), not "resolved"', async () => {
    const { api } = await activate();
    // Installed: 4.0.0. The user changes line 2 again; v5 changes it too.
    writeFileSync(join(dir(), 'NOTES.md'), '# acme\nline 2 mine again\nline 3\n');
    fixture.publish([{ ...V4, version: '5.0.0', files: { ...V4.files, 'NOTES.md': '# {{projectName}}\nline 2 from v5\nline 3\n' } }], { version: 5 });
    await (await api.client()).refresh({ force: true });
    const running = runCommand<UpdateResult>('updateTemplate', { id: 'upd/notes', dir: dir(), merge: true, confirmed: true });
    await waitUntil(() => mergeTabs().length === 1, 'the merge editor shows the conflicting file');
    const tab = mergeTabs()[0]!;
    const result = await vscode.workspace.openTextDocument(mergeInputOf(tab)!.result);
    // The merge editor replaces the markers with its own state: the unhandled region shows the base.
    await waitUntil(() => !/^<{7}/m.test(result.getText()), 'the merge editor has initialised the result');
    // "Complete with Conflicts": save the result as it is and close.
    assert.ok(await result.save());
    await vscode.window.tabGroups.close(tab);

    const r = await running;
    assert.equal(r.status, 'updated', JSON.stringify(r));
    assert.deepEqual(
      r.files.find((f) => f.path === 'NOTES.md'),
      { path: 'NOTES.md', kind: 'conflict', resolution: 'unresolved', unresolvedRegions: 1 },
      'reported as left unresolved, not as resolved in the merge editor',
    );
    assert.equal(readFileSync(join(dir(), 'NOTES.md'), 'utf8'), '# acme\nline 2 from v3\nline 3\n', "the region holds the installed version's (4.0.0) text");
  });
});

function same(a: Map<string, string | undefined>, b: Map<string, string | undefined>): boolean {
  return [...a].every(([k, v]) => b.get(k) === v);
}

async function findInstalled(api: Awaited<ReturnType<typeof activate>>['api'], ref: string) {
  for (const folder of await api.installed.getChildren()) {
    for (const node of await api.installed.getChildren(folder)) if (node.kind === 'installed' && node.ref === ref) return node;
  }
  throw new Error(`${ref} is not in the Installed Templates view`);
}
