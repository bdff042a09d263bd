import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test, type TestContext } from 'node:test';
import { ConflictError, MarketplaceClient } from '../../../src/core';
import { PROVENANCE_FILE, readProvenance } from '../../../src/core/provenance';
import { MarketplaceFixture, tempDir, type FixtureTemplate } from '../../helpers/marketplaceFixture';

const TEMPLATES: FixtureTemplate[] = [
  { id: 'readme', files: { 'README.md': '# {{projectName}}\n', 'docs/intro.md': 'intro of {{projectName}}\n' } },
  { id: 'changelog', files: { 'CHANGELOG.md': '# Changes in {{projectName}}\n' } },
];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const NOW = Date.parse('2026-11-24T00:00:00Z');

/** A file: marketplace the test can republish, and a client on it. */
async function setup(t: TestContext, templates = TEMPLATES) {
  const fixture = new MarketplaceFixture(templates);
  const marketDir = await tempDir(t);
  await fixture.writeTo(marketDir);
  const url = pathToFileURL(marketDir).href;
  const target = await tempDir(t);
  /** A client with its own cache, so it reads the marketplace as it is now. */
  const open = async () => {
    const client = await MarketplaceClient.open({
      sources: [{ id: 'local', url, publicKey: fixture.publicKey }],
      cacheDir: await tempDir(t),
      now: () => NOW,
      prefetchPopular: 0,
    });
    t.after(() => client.close());
    return client;
  };
  const republish = async (list: FixtureTemplate[], version: number) => {
    fixture.publish(list, { version });
    await fixture.writeTo(marketDir);
  };
  return { fixture, marketDir, url, target, client: await open(), open, republish };
}

const recordBytes = (dir: string) => readFile(join(dir, PROVENANCE_FILE), 'utf8');

describe('install records provenance', () => {
  test('an install writes the record with the catalog entry, the answers and a digest per written file', async (t) => {
    const { client, target, fixture, url } = await setup(t);
    await client.install('local/readme', target, { projectName: 'acme' });
    const record = await readProvenance(target);
    assert.equal(record.entries.length, 1);
    const entry = record.entries[0]!;
    const listed = fixture.catalog.templates.find((e) => e.id === 'readme')!;
    assert.deepEqual(entry.marketplace, { id: 'local', url: `${url}/`, catalogKeyId: fixture.catalogKey.keyid });
    assert.deepEqual(entry.template, { id: 'readme', version: '1.0.0', sha256: listed.sha256, publisherKeyId: fixture.publisherKey.keyid, signature: listed.signature });
    assert.equal(entry.installedAt, '2026-11-24T00:00:00.000Z');
    assert.equal(entry.verifiedAt, entry.installedAt);
    assert.deepEqual(entry.variables, { projectName: 'acme' });
    assert.deepEqual(entry.files, [
      { path: 'README.md', sha256: sha('# acme\n') },
      { path: 'docs/intro.md', sha256: sha('intro of acme\n') },
    ]);
    assert.ok((await recordBytes(target)).endsWith('}\n'));
    assert.deepEqual((await readdir(target)).sort(), ['.template-marketplace.json', 'README.md', 'docs'], 'no journal or temp file left');
  });

  test('a second template adds an entry; a reinstall replaces its own entry only', async (t) => {
    const { client, target } = await setup(t);
    await client.install('local/readme', target, { projectName: 'acme' });
    await client.install('local/changelog', target);
    let record = await readProvenance(target);
    assert.deepEqual(record.entries.map((e) => e.template.id), ['changelog', 'readme']);
    assert.deepEqual(record.entries[0]!.variables, { projectName: 'demo' }, 'defaults are recorded too');

    await client.install('local/readme', target, { projectName: 'other' }, { onConflict: 'overwrite' });
    record = await readProvenance(target);
    assert.equal(record.entries.length, 2);
    const readme = record.entries.find((e) => e.template.id === 'readme')!;
    assert.deepEqual(readme.variables, { projectName: 'other' });
    assert.deepEqual(readme.files.map((f) => f.sha256), [sha('# other\n'), sha('intro of other\n')]);
  });

  test('re-running an identical install keeps recording its files', async (t) => {
    const { client, target } = await setup(t);
    await client.install('local/readme', target, { projectName: 'acme' });
    const first = await recordBytes(target);
    const result = await client.install('local/readme', target, { projectName: 'acme' });
    assert.deepEqual(result.skipped, ['README.md', 'docs/intro.md']);
    assert.equal(await recordBytes(target), first);
  });

  test('a failed install (conflict, bad variable) leaves the record byte for byte as it was', async (t) => {
    const { client, target } = await setup(t);
    await client.install('local/changelog', target);
    const before = await recordBytes(target);
    await writeFile(join(target, 'README.md'), 'mine\n');
    await assert.rejects(client.install('local/readme', target, { projectName: 'acme' }), ConflictError);
    assert.equal(await recordBytes(target), before);
    await assert.rejects(client.install('local/readme', target, { projectName: 'NOT VALID' }, { onConflict: 'overwrite' }), /projectName/);
    assert.equal(await recordBytes(target), before);
    assert.equal(await readFile(join(target, 'README.md'), 'utf8'), 'mine\n');
  });

  test('a cancelled install leaves no record behind', async (t) => {
    const { client, target } = await setup(t);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.install('local/readme', target, {}, { signal: controller.signal }));
    assert.deepEqual(await readdir(target), []);
  });

  test('with onConflict skip only the files written (or already identical) are recorded', async (t) => {
    const { client, target } = await setup(t);
    await writeFile(join(target, 'README.md'), 'mine\n');
    const result = await client.install('local/readme', target, { projectName: 'acme' }, { onConflict: 'skip' });
    assert.deepEqual(result.skipped, ['README.md']);
    const entry = (await readProvenance(target)).entries[0]!;
    assert.deepEqual(entry.files, [{ path: 'docs/intro.md', sha256: sha('intro of acme\n') }]);
  });

  test('a damaged record stops the install before anything is written', async (t) => {
    const { client, target } = await setup(t);
    await writeFile(join(target, PROVENANCE_FILE), '{"schemaVersion": 1, "entries": "oops"}');
    await assert.rejects(client.install('local/readme', target), /entries/);
    assert.deepEqual(await readdir(target), [PROVENANCE_FILE]);
  });
});

describe('installedStatus', () => {
  const states = async (client: MarketplaceClient, dir: string) =>
    Object.fromEntries((await client.installedStatus(dir)).entries.map((e) => [e.key, e.status.state]));

  test('up to date, then locally modified, then missing files', async (t) => {
    const { client, target } = await setup(t);
    assert.deepEqual((await client.installedStatus(target)).entries, [], 'no record: nothing installed');
    await client.install('local/readme', target, { projectName: 'acme' });
    await client.install('local/changelog', target);
    assert.deepEqual(await states(client, target), { 'local/changelog': 'up-to-date', 'local/readme': 'up-to-date' });

    await writeFile(join(target, 'docs', 'intro.md'), 'edited\n');
    let report = await client.installedStatus(target);
    const readme = report.entries.find((e) => e.key === 'local/readme')!;
    assert.equal(readme.status.state, 'locally-modified');
    assert.deepEqual(readme.status.modified, ['docs/intro.md']);
    assert.equal(readme.entry.template.version, '1.0.0');

    await rm(join(target, 'README.md'));
    report = await client.installedStatus(target);
    const after = report.entries.find((e) => e.key === 'local/readme')!.status;
    assert.equal(after.state, 'missing-files');
    assert.deepEqual([after.missing, after.modified], [['README.md'], ['docs/intro.md']]);
  });

  test('update available when the catalog lists a higher version; not in catalog when it is gone', async (t) => {
    const { client, target, republish, open } = await setup(t);
    await client.install('local/readme', target, { projectName: 'acme' });
    await client.install('local/changelog', target);
    await republish([{ ...TEMPLATES[0]!, version: '1.1.0' }], 2);
    const fresh = await open();
    const report = await fresh.installedStatus(target);
    const byKey = new Map(report.entries.map((e) => [e.key, e.status]));
    assert.equal(byKey.get('local/readme')!.state, 'update-available');
    assert.equal(byKey.get('local/readme')!.catalogVersion, '1.1.0');
    assert.equal(byKey.get('local/changelog')!.state, 'not-in-catalog');
  });

  test('a marketplace this client does not know counts as not in catalog', async (t) => {
    const { client, target } = await setup(t);
    await client.install('local/readme', target);
    const record = await recordBytes(target);
    await writeFile(join(target, PROVENANCE_FILE), record.replace('"id": "local"', '"id": "elsewhere"'));
    assert.deepEqual(await states(client, target), { 'elsewhere/readme': 'not-in-catalog' });
  });

  test('recorded paths that lead through a symbolic link are never followed: they count as missing', async (t) => {
    const { client, target } = await setup(t);
    await client.install('local/readme', target, { projectName: 'acme' });
    const outside = await tempDir(t);
    await writeFile(join(outside, 'intro.md'), 'intro of acme\n');
    await rm(join(target, 'docs'), { recursive: true });
    await symlink(outside, join(target, 'docs'));
    await rm(join(target, 'README.md'));
    await symlink(join(outside, 'intro.md'), join(target, 'README.md'));
    const status = (await client.installedStatus(target)).entries[0]!.status;
    assert.equal(status.state, 'missing-files');
    assert.deepEqual(status.missing, ['README.md', 'docs/intro.md']);
  });
});
