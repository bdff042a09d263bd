import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activate, globalStorageDir } from './support';

describe('activation (first start)', () => {
  it('activates in this VS Code and contributes its commands', async () => {
    const { extension } = await activate();
    assert.equal(extension.isActive, true);
    const declared = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'every command in package.json is registered');
  });

  it('lists the 20 sample templates through the exported API, offline', async () => {
    const { api } = await activate();
    const client = await api.client();
    const templates = await client.list();
    assert.equal(templates.length, 20);
    assert.ok(templates.some((t) => t.ref === 'samples/readme'), 'the README template is listed');
    assert.ok(client.status().every((s) => s.state === 'fresh'), JSON.stringify(client.status()));
  });

  it("keeps its disk tier under the extension's globalStorage folder", async () => {
    const { api } = await activate();
    const client = await api.client();
    await client.getPackage('samples/readme');
    const cache = join(globalStorageDir(), 'cache');
    assert.ok(existsSync(cache), `${cache} exists`);
    assert.ok(readdirSync(cache, { recursive: true }).length > 0, 'the disk tier holds entries');
    const stats = await client.cacheStats();
    assert.ok(stats.disk.entries > 0, `disk tier entries: ${JSON.stringify(stats.disk)}`);
  });
});
