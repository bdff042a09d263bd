import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConflictError, FormatError, RollbackError, SignatureError } from '../../../src/core/errors';
import {
  fromBase64, generateKeyPair, parsePublicKey, sha256, sha256Hex, utf8, verify, type KeyPair, type TemplateManifest,
} from '../../../src/core/format';
import { openCatalog, packTemplateDir, publishPackages, type PublishOptions } from '../../../src/core/publish';
import { sampleManifest, writeTemplateDir } from './templateFixture';

const NOW = new Date('2026-11-01T00:00:00Z');
const LATER = new Date('2026-11-02T12:30:00Z');

let tmp: string;
let n = 0;
const fresh = () => join(tmp, `m${++n}`);
let catalogKey: KeyPair;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'publish-'));
  catalogKey = generateKeyPair();
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function pack(manifest: Partial<TemplateManifest> = {}, readme = '# {{projectName}}\n'): Promise<Uint8Array> {
  const dir = await writeTemplateDir(fresh(), sampleManifest(manifest), { 'README.md': readme });
  return (await packTemplateDir(dir)).bytes;
}

function publish(marketplaceDir: string, packages: Uint8Array[], opts: Partial<PublishOptions> = {}) {
  return publishPackages({ marketplaceDir, packages, catalogKey, now: NOW, ...opts });
}

async function readCatalog(dir: string, key: KeyPair = catalogKey) {
  return openCatalog(await readFile(join(dir, 'catalog.json')), key);
}

/** Every file below `dir`, so a test can see that nothing else (no temporary file) was left. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map((p) => p.split('\\').join('/')).sort();
}

test('a new marketplace: signed catalog, package, public key file, nothing else', async () => {
  const dir = fresh();
  const bytes = await pack();
  const result = await publish(dir, [bytes], { name: 'Acme', downloads: { 'acme.readme': 7 } });
  assert.deepEqual([result.added, result.updated, result.unchanged], [['acme.readme'], [], []]);
  assert.deepEqual(await tree(dir), ['catalog.json', 'marketplace.pub.json', 'packages', 'packages/acme.readme-1.0.0.zip']);
  assert.deepEqual(await readFile(join(dir, 'packages/acme.readme-1.0.0.zip')), Buffer.from(bytes));

  const catalog = await readCatalog(dir);
  assert.deepEqual(catalog, result.catalog);
  assert.equal(catalog.name, 'Acme');
  assert.equal(catalog.version, 1);
  assert.equal(catalog.expires, '2026-12-01T00:00:00Z', '30 days by default');
  assert.deepEqual(catalog.publishers, { [catalogKey.keyid]: Buffer.from(catalogKey.publicKey).toString('base64') });
  const [entry] = catalog.templates;
  assert.deepEqual(entry, {
    id: 'acme.readme', name: 'Acme README', version: '1.0.0', description: 'A README for Acme projects.',
    category: 'documentation', tags: ['readme', 'markdown'], author: 'Acme', downloads: 7,
    updatedAt: '2026-11-01T00:00:00Z', size: bytes.length, sha256: sha256Hex(bytes), path: 'packages/acme.readme-1.0.0.zip',
    publisher: catalogKey.keyid, signature: entry!.signature,
  });
  assert.ok(verify(sha256(bytes), fromBase64(entry!.signature)!, catalogKey.publicKey));
  const publicKey = parsePublicKey(JSON.parse(await readFile(join(dir, 'marketplace.pub.json'), 'utf8')));
  assert.equal(publicKey.keyid, catalogKey.keyid);
});

test('initialVersion and expiresInDays set the first catalog', async () => {
  const dir = fresh();
  const { catalog } = await publish(dir, [await pack()], { initialVersion: 41, expiresInDays: 2 });
  assert.equal(catalog.version, 41);
  assert.equal(catalog.expires, '2026-11-03T00:00:00Z');
  assert.equal(catalog.name, undefined);
});

test('a new version updates the entry, bumps the catalog and keeps the old zip', async () => {
  const dir = fresh();
  await publish(dir, [await pack()], { name: 'Acme', downloads: { 'acme.readme': 50 } });
  const other = await pack({ id: 'acme.other', name: 'Other' });
  await publish(dir, [other], { now: NOW });
  const v2 = await pack({ version: '1.1.0', description: 'Now with more.' }, '# {{projectName}} v2\n');
  const result = await publish(dir, [v2], { now: LATER });
  assert.deepEqual([result.added, result.updated, result.unchanged], [[], ['acme.readme'], []]);

  const catalog = await readCatalog(dir);
  assert.equal(catalog.version, 3);
  assert.equal(catalog.name, 'Acme', 'an existing catalog keeps its name');
  assert.equal(catalog.expires, '2026-12-02T12:30:00Z');
  const entry = catalog.templates.find((t) => t.id === 'acme.readme')!;
  assert.equal(entry.version, '1.1.0');
  assert.equal(entry.description, 'Now with more.');
  assert.equal(entry.downloads, 50, 'downloads carry over');
  assert.equal(entry.updatedAt, '2026-11-02T12:30:00Z');
  assert.equal(entry.sha256, sha256Hex(v2));
  assert.equal(catalog.templates.find((t) => t.id === 'acme.other')!.updatedAt, '2026-11-01T00:00:00Z', 'others stay as they were');
  assert.deepEqual((await tree(dir)).filter((p) => p.endsWith('.zip')), [
    'packages/acme.other-1.0.0.zip', 'packages/acme.readme-1.0.0.zip', 'packages/acme.readme-1.1.0.zip',
  ]);
});

test('publishing the same bytes again is "unchanged" but still re-signs with a fresh expiry', async () => {
  const dir = fresh();
  const bytes = await pack();
  await publish(dir, [bytes]);
  const result = await publish(dir, [bytes], { now: LATER, downloads: { 'acme.readme': 3 } });
  assert.deepEqual([result.added, result.updated, result.unchanged], [[], [], ['acme.readme']]);
  assert.equal(result.catalog.version, 2);
  assert.equal(result.catalog.expires, '2026-12-02T12:30:00Z');
  assert.equal(result.catalog.templates[0]!.updatedAt, '2026-11-01T00:00:00Z', 'the template itself did not change');
  assert.equal(result.catalog.templates[0]!.downloads, 3, 'an explicit count replaces the old one');
  const resigned = await publish(dir, []);
  assert.equal(resigned.catalog.version, 3);
  assert.equal(resigned.catalog.templates[0]!.downloads, 3);
});

test('a version is immutable: the same version with other bytes is refused and nothing changes', async () => {
  const dir = fresh();
  await publish(dir, [await pack()]);
  const before = await readFile(join(dir, 'catalog.json'));
  const changed = await pack({}, '# {{projectName}} changed\n');
  await assert.rejects(publish(dir, [changed], { now: LATER }), (err: unknown) => {
    assert.ok(err instanceof ConflictError);
    assert.equal(err.code, 'E_CONFLICT');
    assert.match(err.message, /acme\.readme 1\.0\.0 is already published with different content/);
    assert.deepEqual(err.paths, ['packages/acme.readme-1.0.0.zip']);
    return true;
  });
  assert.deepEqual(await readFile(join(dir, 'catalog.json')), before);
});

test('a zip already at a version\'s path with other bytes is refused before anything is written', async () => {
  const dir = fresh();
  await mkdir(join(dir, 'packages'), { recursive: true });
  await writeFile(join(dir, 'packages', 'acme.readme-1.0.0.zip'), 'an older upload');
  const other = await pack({ id: 'acme.other' });
  await assert.rejects(publish(dir, [other, await pack()]), (err: unknown) =>
    err instanceof ConflictError && err.message.includes('acme.readme-1.0.0.zip already exists with different content'));
  assert.deepEqual(await tree(dir), ['packages', 'packages/acme.readme-1.0.0.zip'], 'no catalog, no other package');
});

test('a lower version than the listed one is refused as a rollback', async () => {
  const dir = fresh();
  await publish(dir, [await pack({ version: '2.0.0' })]);
  for (const version of ['1.9.9', '2.0.0-rc.1']) {
    await assert.rejects(publish(dir, [await pack({ version })]), (err: unknown) =>
      err instanceof RollbackError && err.code === 'E_ROLLBACK' && err.message.includes(`acme.readme ${version} is lower than the listed version 2.0.0`));
  }
  await assert.rejects(publish(dir, [await pack({ version: '2.0.0+build.5' })]), ConflictError, 'same precedence, other bytes');
});

test('an existing catalog that does not verify with the catalog key is refused', async () => {
  const dir = fresh();
  await publish(dir, [await pack()]);
  const before = await readFile(join(dir, 'catalog.json'));
  const intruder = generateKeyPair();
  await assert.rejects(publish(dir, [await pack({ version: '1.0.1' })], { catalogKey: intruder }), (err: unknown) =>
    err instanceof SignatureError && err.code === 'E_SIGNATURE' && err.message.includes('not signed by a trusted key') &&
    err.message.includes('Refusing to publish over it'));

  const envelope = JSON.parse(before.toString()) as { payload: string };
  envelope.payload = Buffer.from(utf8.decode(fromBase64(envelope.payload)!).replace('"version": 1', '"version": 9')).toString('base64');
  await writeFile(join(dir, 'catalog.json'), JSON.stringify(envelope));
  await assert.rejects(publish(dir, [await pack({ version: '1.0.1' })]), (err: unknown) =>
    err instanceof SignatureError && err.message.includes('does not verify'));
  await writeFile(join(dir, 'catalog.json'), '{ not json');
  await assert.rejects(publish(dir, []), (err: unknown) => err instanceof FormatError && err.message.includes('catalog.json: is not valid UTF-8 JSON'));
});

test('a separate publisher key signs the packages; the catalog key signs the catalog', async () => {
  const dir = fresh();
  const publisherKey = generateKeyPair();
  const bytes = await pack();
  await publish(dir, [bytes], { publisherKey });
  const catalog = await readCatalog(dir);
  const entry = catalog.templates[0]!;
  assert.equal(entry.publisher, publisherKey.keyid);
  assert.ok(verify(sha256(bytes), fromBase64(entry.signature)!, fromBase64(catalog.publishers[publisherKey.keyid]!)!));
  assert.deepEqual(Object.keys(catalog.publishers), [publisherKey.keyid], 'a key that signs no package is not listed');
  await assert.rejects(readCatalog(dir, publisherKey), SignatureError);

  // Adding a template with the catalog key keeps the first publisher, who still signs acme.readme.
  await publish(dir, [await pack({ id: 'acme.other' })]);
  assert.deepEqual(Object.keys((await readCatalog(dir)).publishers).sort(), [catalogKey.keyid, publisherKey.keyid].sort());
});

test('the same inputs give byte-identical marketplaces', async () => {
  const packages = [await pack(), await pack({ id: 'acme.other' })];
  const [a, b] = [fresh(), fresh()];
  await publish(a, packages, { name: 'Same' });
  await publish(b, [...packages].reverse(), { name: 'Same' });
  for (const file of await tree(a)) {
    if (file === 'packages') continue;
    assert.deepEqual(await readFile(join(b, file)), await readFile(join(a, file)), file);
  }
});

test('bad options and duplicate ids are refused before anything is written', async () => {
  const dir = fresh();
  const bytes = await pack();
  for (const batch of [[bytes, bytes], [await pack({ version: '1.1.0' }), bytes]]) {
    await assert.rejects(publish(dir, batch), (err: unknown) => err instanceof ConflictError && err.message.includes('package #2: acme.readme is given twice'));
  }
  await assert.rejects(publish(dir, [bytes], { expiresInDays: 0 }), { code: 'E_FORMAT', field: 'expiresInDays' });
  await assert.rejects(publish(dir, [bytes], { initialVersion: 0 }), { code: 'E_FORMAT', field: 'initialVersion' });
  await assert.rejects(publish(dir, [bytes], { downloads: { 'acme.readme': -1 } }), { code: 'E_FORMAT', field: 'downloads.acme.readme' });
  await assert.rejects(publish(dir, [bytes.subarray(0, 100)]), { code: 'E_INTEGRITY' });
  await assert.rejects(readdir(dir), { code: 'ENOENT' });
});
