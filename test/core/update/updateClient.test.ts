import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { MarketplaceClient, type MarketplaceError, type UpdateProposal, type UpdateVariablesError } from '../../../src/core';
import { PROVENANCE_FILE, readProvenance } from '../../../src/core/provenance';
import { FixtureServer, MarketplaceFixture, tempDir, type FixtureTemplate } from '../../helpers/marketplaceFixture';

/**
 * Updates against a loopback marketplace (HTTP on 127.0.0.1) that publishes v1 of a template, then
 * v2: what is planned, what is written, and what is refused with nothing written.
 */

const NOW = Date.parse('2026-11-25T00:00:00Z');
const sha = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);

const GUIDE_V1 = 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n';
const V1: FixtureTemplate = {
  id: 'docs',
  version: '1.0.0',
  files: {
    'README.md': '# {{projectName}}\n\nVersion one.\n',
    'docs/guide.md': GUIDE_V1,
    'docs/old.md': 'removed in v2\n',
    'LICENSE': 'MIT\n',
  },
};
const V2: FixtureTemplate = {
  id: 'docs',
  version: '2.0.0',
  files: {
    'README.md': '# {{projectName}}\n\nVersion two.\n',
    'docs/guide.md': 'line 1\nline 2 (v2)\nline 3\nline 4\nline 5\nline 6\n',
    'LICENSE': 'MIT\n',
    'docs/new.md': 'new in v2 for {{projectName}}\n',
  },
};

async function setup(t: TestContext, v2: FixtureTemplate = V2) {
  const fixture = new MarketplaceFixture([V1]);
  const server = await FixtureServer.start(fixture);
  t.after(() => server.close());
  const open = async () => {
    const client = await MarketplaceClient.open({
      sources: [{ id: 'local', url: server.url, publicKey: fixture.publicKey }],
      cacheDir: await tempDir(t),
      now: () => NOW,
      prefetchPopular: 0,
    });
    t.after(() => client.close());
    return client;
  };
  const ws = await tempDir(t);
  await (await open()).install('local/docs', ws, { projectName: 'acme' });
  // v2 is published; v1's package stays at its versioned path, as publish leaves it.
  fixture.publish([v2], { version: 2 });
  return { fixture, server, ws, client: await open(), open };
}

/** Every file below `dir` (folders as "path/"), with its content. */
async function tree(dir: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if ((await lstat(path)).isDirectory()) {
      out.set(`${prefix}${name}/`, '');
      for (const [k, v] of await tree(path, `${prefix}${name}/`)) out.set(k, v);
    } else out.set(`${prefix}${name}`, await readFile(path, 'utf8'));
  }
  return out;
}

const kinds = (p: UpdateProposal) => Object.fromEntries(p.plan.files.map((f) => [f.path, f.kind === 'conflict' ? `conflict:${f.reason}` : f.kind]));
const actions = (files: { path: string; action: string }[]) => Object.fromEntries(files.map((f) => [f.path, f.action]));

async function rejects(promise: Promise<unknown>, code: string): Promise<MarketplaceError> {
  try {
    await promise;
  } catch (err) {
    assert.equal((err as MarketplaceError).code, code, String(err));
    return err as MarketplaceError;
  }
  assert.fail(`expected ${code}`);
}

describe('updating an installed template', () => {
  test('a clean update: updated, added, deleted, unchanged; the record describes the new rendering', async (t) => {
    const { client, ws, fixture } = await setup(t);
    const proposals = await client.prepareUpdate(ws);
    assert.equal(proposals.length, 1);
    const p = proposals[0]!;
    assert.deepEqual([p.ref, p.fromVersion, p.toVersion, p.base], ['local/docs', '1.0.0', '2.0.0', { ok: true }]);
    assert.deepEqual(p.variables, { projectName: 'acme' });
    assert.deepEqual(kinds(p), { LICENSE: 'unchanged', 'README.md': 'update', 'docs/guide.md': 'update', 'docs/new.md': 'added', 'docs/old.md': 'delete' });

    const edits = client.updateEdits(p);
    assert.deepEqual(edits.files.map((f) => [f.path, f.bytes === null ? null : new TextDecoder().decode(f.bytes)]), [
      ['README.md', '# acme\n\nVersion two.\n'],
      ['docs/guide.md', 'line 1\nline 2 (v2)\nline 3\nline 4\nline 5\nline 6\n'],
      ['docs/new.md', 'new in v2 for acme\n'],
      ['docs/old.md', null],
    ]);

    const result = await client.applyUpdate(p);
    assert.deepEqual(actions(result.files), { LICENSE: 'unchanged', 'README.md': 'updated', 'docs/guide.md': 'updated', 'docs/new.md': 'added', 'docs/old.md': 'deleted' });
    assert.deepEqual(result.conflicts, []);
    const files = await tree(ws);
    assert.equal(files.get('README.md'), '# acme\n\nVersion two.\n');
    assert.equal(files.get('docs/new.md'), 'new in v2 for acme\n');
    assert.equal(files.has('docs/old.md'), false);
    assert.deepEqual([...files.keys()].filter((k) => k.startsWith('.')), [PROVENANCE_FILE], 'no journal or temp file left');
    assert.equal(await readFile(join(ws, PROVENANCE_FILE), 'utf8'), new TextDecoder().decode(edits.record.bytes), 'updateEdits is what applyUpdate writes');

    const entry = (await readProvenance(ws)).entries[0]!;
    const listed = fixture.catalog.templates[0]!;
    assert.deepEqual(entry.template, { id: 'docs', version: '2.0.0', sha256: listed.sha256, publisherKeyId: fixture.publisherKey.keyid, signature: listed.signature });
    assert.equal(entry.installedAt, '2026-11-25T00:00:00.000Z');
    assert.deepEqual(entry.files.map((f) => f.path), ['LICENSE', 'README.md', 'docs/guide.md', 'docs/new.md']);
    assert.equal(entry.files[1]!.sha256, sha('# acme\n\nVersion two.\n'));

    const status = await client.installedStatus(ws);
    assert.equal(status.entries[0]!.status.state, 'up-to-date');
    assert.deepEqual(await client.prepareUpdate(ws), [], 'nothing more to update');
    assert.deepEqual(await client.prepareUpdate(ws, { ids: ['docs'] }), [], 'a named template that is up to date yields no proposal');
    await rejects(client.prepareUpdate(ws, { ids: ['nope'] }), 'E_NOT_FOUND');
  });

  test('local edits merge cleanly with upstream changes; a file only edited locally is kept', async (t) => {
    const { client, ws } = await setup(t);
    await writeFile(join(ws, 'docs/guide.md'), GUIDE_V1.replace('line 5', 'line 5 (mine)'));
    await writeFile(join(ws, 'LICENSE'), 'MIT, with my notes\n');
    const [p] = await client.prepareUpdate(ws);
    assert.equal(kinds(p!)['docs/guide.md'], 'merged');
    assert.equal(kinds(p!).LICENSE, 'keep-ours');
    const result = await client.applyUpdate(p!);
    assert.deepEqual(actions(result.files).LICENSE, 'kept-local');
    assert.equal(await readFile(join(ws, 'docs/guide.md'), 'utf8'), 'line 1\nline 2 (v2)\nline 3\nline 4\nline 5 (mine)\nline 6\n');
    assert.equal(await readFile(join(ws, 'LICENSE'), 'utf8'), 'MIT, with my notes\n');
    const entry = (await readProvenance(ws)).entries[0]!;
    assert.equal(entry.files.find((f) => f.path === 'docs/guide.md')!.sha256, sha(V2.files!['docs/guide.md']!), 'the record holds the new rendering, not the merge');
  });

  test('a conflict: refused with "fail" (nothing written), written with markers otherwise, or resolved', async (t) => {
    const { client, ws } = await setup(t);
    await writeFile(join(ws, 'docs/guide.md'), GUIDE_V1.replace('line 2', 'line 2 (mine)'));
    const before = await tree(ws);
    const [p] = await client.prepareUpdate(ws);
    const conflict = p!.plan.files.find((f) => f.path === 'docs/guide.md')!;
    assert.equal(conflict.kind === 'conflict' && conflict.reason, 'both-modified');
    assert.equal(p!.plan.clean, false);

    const refused = await rejects(client.applyUpdate(p!, { conflict: 'fail' }), 'E_UPDATE_CONFLICT');
    assert.deepEqual((refused as unknown as { paths: string[] }).paths, ['docs/guide.md']);
    assert.throws(() => client.updateEdits(p!), /E_UPDATE_CONFLICT|conflicts in 1 file/);
    assert.deepEqual(await tree(ws), before, 'nothing written');

    const result = await client.applyUpdate(p!, { conflict: 'markers' });
    assert.deepEqual(result.conflicts, ['docs/guide.md']);
    assert.equal(actions(result.files)['docs/guide.md'], 'conflict-markers');
    assert.equal(
      await readFile(join(ws, 'docs/guide.md'), 'utf8'),
      'line 1\n<<<<<<< local\nline 2 (mine)\n||||||| docs 1.0.0\nline 2\n=======\nline 2 (v2)\n>>>>>>> docs 2.0.0\nline 3\nline 4\nline 5\nline 6\n',
    );
    assert.equal(await readFile(join(ws, 'README.md'), 'utf8'), '# acme\n\nVersion two.\n', 'the rest is updated');
  });

  test('a resolution settles a conflict; the record is updated only then', async (t) => {
    const { client, ws } = await setup(t);
    await writeFile(join(ws, 'docs/guide.md'), GUIDE_V1.replace('line 2', 'line 2 (mine)'));
    const [p] = await client.prepareUpdate(ws);
    const resolved = utf8('line 1\nline 2 (mine, v2)\n');
    const edits = client.updateEdits(p!, new Map([['docs/guide.md', resolved]]));
    assert.deepEqual(edits.conflicts, []);
    const result = await client.applyUpdate(p!, { resolutions: new Map([['docs/guide.md', resolved]]) });
    assert.equal(actions(result.files)['docs/guide.md'], 'resolved');
    assert.equal(await readFile(join(ws, 'docs/guide.md'), 'utf8'), 'line 1\nline 2 (mine, v2)\n');
  });

  test('deleted locally: stays deleted when upstream kept it, a conflict left deleted when upstream changed it', async (t) => {
    const { client, ws } = await setup(t);
    await rm(join(ws, 'LICENSE'));
    await rm(join(ws, 'README.md'));
    const [p] = await client.prepareUpdate(ws);
    assert.equal(kinds(p!).LICENSE, 'keep-deleted');
    assert.equal(kinds(p!)['README.md'], 'conflict:deleted-locally-changed-upstream');
    await rejects(client.applyUpdate(p!), 'E_UPDATE_CONFLICT');
    const result = await client.applyUpdate(p!, { conflict: 'markers' });
    assert.equal(actions(result.files)['README.md'], 'conflict-left-deleted');
    const files = await tree(ws);
    assert.equal(files.has('LICENSE'), false);
    assert.equal(files.has('README.md'), false);
  });

  test('removed in v2: deleted when untouched (empty folder too), kept when edited locally', async (t) => {
    const v2 = { ...V2, files: { 'README.md': '# {{projectName}}\n' } };
    const { client, ws } = await setup(t, v2);
    await writeFile(join(ws, 'docs/old.md'), 'my notes\n');
    const [p] = await client.prepareUpdate(ws);
    assert.equal(kinds(p!)['docs/guide.md'], 'delete');
    assert.equal(kinds(p!)['docs/old.md'], 'conflict:modified-locally-removed-upstream');
    const result = await client.applyUpdate(p!, { conflict: 'markers' });
    assert.equal(actions(result.files)['docs/old.md'], 'conflict-kept-local');
    const files = await tree(ws);
    assert.equal(files.get('docs/old.md'), 'my notes\n', 'the user\'s bytes are never lost');
    assert.equal(files.has('docs/guide.md'), false);
    assert.equal(files.has('LICENSE'), false);
    assert.deepEqual((await readProvenance(ws)).entries[0]!.files.map((f) => f.path), ['README.md'], 'the kept file is no longer recorded');

    // Without the locally edited file, the emptied folder goes too.
    const other = await setup(t, v2);
    const [q] = await other.client.prepareUpdate(other.ws);
    await other.client.applyUpdate(q!);
    assert.deepEqual([...(await tree(other.ws)).keys()], [PROVENANCE_FILE, 'README.md']);
  });

  test('a new variable in v2: an error carrying its definition, then the update with the answer', async (t) => {
    const v2: FixtureTemplate = {
      ...V2,
      variables: [
        { name: 'projectName', prompt: 'Project name', default: 'demo', pattern: '[a-z-]+' },
        { name: 'owner', prompt: 'Code owner', pattern: '@[a-z]+' },
        { name: 'license', prompt: 'License', default: 'MIT' },
      ],
      files: { ...V2.files, 'CODEOWNERS': '* {{owner}}\n', 'LICENSE': '{{license}}\n' },
    };
    const { client, ws } = await setup(t, v2);
    const err = (await rejects(client.prepareUpdate(ws), 'E_UPDATE_VARIABLES')) as UpdateVariablesError;
    assert.deepEqual(err.variables, [
      { name: 'owner', prompt: 'Code owner', pattern: '@[a-z]+', reason: 'new' },
      { name: 'license', prompt: 'License', default: 'MIT', reason: 'new' },
    ]);
    assert.equal(err.templateId, 'docs');
    await rejects(client.prepareUpdate(ws, { variables: { owner: 'nobody', license: 'MIT' } }), 'E_FORMAT');

    const [p] = await client.prepareUpdate(ws, { variables: { owner: '@acme' }, acceptDefaults: true });
    assert.deepEqual(p!.variables, { projectName: 'acme', owner: '@acme', license: 'MIT' });
    assert.deepEqual(p!.newVariables, ['owner', 'license']);
    await client.applyUpdate(p!);
    assert.equal(await readFile(join(ws, 'CODEOWNERS'), 'utf8'), '* @acme\n');
    assert.deepEqual((await readProvenance(ws)).entries[0]!.variables, { license: 'MIT', owner: '@acme', projectName: 'acme' });
  });

  test('a tampered v2 is refused before anything is written: folder and record byte-identical', async (t) => {
    const { client, ws, fixture } = await setup(t);
    await writeFile(join(ws, 'README.md'), 'edited\n');
    const path = fixture.catalog.templates[0]!.path;
    const bytes = fixture.files.get(path)!;
    const tampered = new Uint8Array(bytes);
    tampered[tampered.length - 30]! ^= 0xff;
    fixture.files.set(path, tampered);
    const before = await tree(ws);
    await rejects(client.prepareUpdate(ws), 'E_INTEGRITY');
    assert.deepEqual(await tree(ws), before);
  });

  test('without the old package, files both sides changed are no-base conflicts; the rest updates', async (t) => {
    const { client, ws, fixture } = await setup(t);
    fixture.files.delete('packages/docs-1.0.0.zip');
    await writeFile(join(ws, 'docs/guide.md'), GUIDE_V1.replace('line 5', 'line 5 (mine)'));
    const [p] = await client.prepareUpdate(ws);
    assert.equal(p!.base.ok, false);
    assert.match(!p!.base.ok ? p!.base.reason : '', /installed version \(docs 1\.0\.0\) is not available: error\[E_NOT_FOUND\]/);
    assert.equal(kinds(p!)['docs/guide.md'], 'conflict:no-base');
    assert.equal(kinds(p!)['README.md'], 'update', 'digests alone decide an untouched file');
    const result = await client.applyUpdate(p!, { conflict: 'markers' });
    assert.equal(actions(result.files)['docs/guide.md'], 'conflict-markers');
    assert.match(await readFile(join(ws, 'docs/guide.md'), 'utf8'), /^<<<<<<< local\nline 1\n[^]*=======\nline 1\nline 2 \(v2\)\n[^]*>>>>>>> docs 2\.0\.0\n$/);
  });

  test('an old package that is not the recorded one is not used as the base', async (t) => {
    const { client, ws, fixture } = await setup(t);
    const other = new MarketplaceFixture([{ ...V1, files: { ...V1.files, 'docs/guide.md': 'something else\n' } }]);
    fixture.files.set('packages/docs-1.0.0.zip', other.files.get('packages/docs-1.0.0.zip')!);
    const [p] = await client.prepareUpdate(ws);
    assert.equal(p!.base.ok, false);
    assert.match(!p!.base.ok ? p!.base.reason : '', /not the recorded package/);
  });

  test('a file changed after prepareUpdate: the apply is refused as stale, nothing written', async (t) => {
    const { client, ws } = await setup(t);
    const [p] = await client.prepareUpdate(ws);
    await writeFile(join(ws, 'LICENSE'), 'changed meanwhile\n');
    await mkdir(join(ws, 'docs', 'sub'));
    const before = await tree(ws);
    const err = await rejects(client.applyUpdate(p!), 'E_UPDATE_STALE');
    assert.deepEqual((err as unknown as { paths: string[] }).paths, ['LICENSE']);
    await rejects(client.checkUpdateFresh(p!), 'E_UPDATE_STALE');
    assert.deepEqual(await tree(ws), before);
    // A fresh proposal goes through.
    const [q] = await client.prepareUpdate(ws);
    await client.applyUpdate(q!);
    assert.equal(await readFile(join(ws, 'LICENSE'), 'utf8'), 'changed meanwhile\n');
  });
});

describe('several templates in one folder, and verifyInstalled', () => {
  test('two proposals of one folder apply one after the other; each keeps the other\'s entry', async (t) => {
    const other: FixtureTemplate = { id: 'notes', version: '1.0.0', files: { 'NOTES.md': 'notes v1\n' } };
    const fixture = new MarketplaceFixture([V1, other]);
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const open = async () => {
      const client = await MarketplaceClient.open({ sources: [{ id: 'local', url: server.url, publicKey: fixture.publicKey }], cacheDir: await tempDir(t), now: () => NOW, prefetchPopular: 0 });
      t.after(() => client.close());
      return client;
    };
    const ws = await tempDir(t);
    const installer = await open();
    await installer.install('local/docs', ws, { projectName: 'acme' });
    await installer.install('local/notes', ws);
    fixture.publish([V2, { ...other, version: '1.1.0', files: { 'NOTES.md': 'notes v1.1\n' } }], { version: 2 });
    const client = await open();
    const proposals = await client.prepareUpdate(ws);
    assert.deepEqual(proposals.map((p) => p.ref), ['local/docs', 'local/notes']);
    for (const p of proposals) await client.applyUpdate(p);
    assert.deepEqual((await readProvenance(ws)).entries.map((e) => `${e.template.id} ${e.template.version}`), ['docs 2.0.0', 'notes 1.1.0']);
    assert.deepEqual((await client.prepareUpdate(ws, { ids: ['local/notes'] })), []);
  });

  test('verifyInstalled: intact, then a modified file and a re-released version are problems', async (t) => {
    const { client, ws, fixture } = await setup(t);
    let report = await client.verifyInstalled(ws);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.entries[0]!.catalog, { listed: true, version: '2.0.0' });

    await writeFile(join(ws, 'LICENSE'), 'changed\n');
    // The catalog now lists 1.0.0 again, with another package than the recorded one.
    fixture.publish([{ ...V1, files: { ...V1.files, 'LICENSE': 'other\n' } }], { version: 3 });
    report = await client.verifyInstalled(ws);
    const entry = report.entries[0]!;
    assert.equal(report.ok, false);
    assert.deepEqual(entry.modified, ['LICENSE']);
    assert.ok(entry.problems.some((p) => /lists 1\.0\.0 with another package/.test(p)), entry.problems.join('\n'));
    assert.equal(entry.package.ok, false, 'the listed path now holds another package than the recorded one');
  });
});
