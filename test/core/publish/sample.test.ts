import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fromBase64, parsePrivateKeyFile, parsePublicKey, readPackage, sha256, sha256Hex, verify, type Catalog } from '../../../src/core/format';
import { openCatalog } from '../../../src/core/publish';
import { compareDirs, listFiles } from '../../../src/cli/sample/compareDirs';
import { buildSampleMarketplace, SAMPLE } from '../../../src/cli/sample/buildSample';
import { REPO, runCli } from '../../cli/runCli';

const COMMITTED = join(REPO, SAMPLE.outDir);

let tmp: string;
let catalog: Catalog;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sample-'));
  const key = parsePrivateKeyFile(JSON.parse(await readFile(join(REPO, SAMPLE.keyFile), 'utf8')), SAMPLE.keyFile);
  catalog = openCatalog(await readFile(join(COMMITTED, 'catalog.json')), key);
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('the committed sample marketplace equals a fresh build from the sources, byte for byte', async () => {
  const fresh = join(tmp, 'fresh');
  const result = await buildSampleMarketplace(REPO, fresh);
  assert.deepEqual(await compareDirs(fresh, COMMITTED), [], 'run "npm run sample:build" and commit media/sample-marketplace');
  assert.deepEqual(await listFiles(fresh), [
    'catalog.json', 'marketplace.pub.json', ...result.catalog.templates.map((t) => t.path).sort(),
  ]);
});

test('the sample catalog verifies with the sample key and has the fixed metadata', async () => {
  assert.equal(catalog.name, 'Template Marketplace Samples');
  assert.equal(catalog.version, 1);
  assert.equal(catalog.expires, '2099-12-31T00:00:00Z');
  assert.ok(catalog.templates.length >= 12, `${catalog.templates.length} templates`);
  const downloads = JSON.parse(await readFile(join(REPO, SAMPLE.downloadsFile), 'utf8')) as Record<string, number>;
  for (const t of catalog.templates) {
    assert.equal(t.updatedAt, '2026-11-01T00:00:00Z', t.id);
    assert.equal(t.downloads, downloads[t.id] ?? 0, t.id);
  }
  const pub = parsePublicKey(JSON.parse(await readFile(join(COMMITTED, 'marketplace.pub.json'), 'utf8')));
  assert.deepEqual(Object.keys(catalog.publishers), [pub.keyid]);
});

test('every sample package matches its size, digest and signature, and passes readPackage', async () => {
  for (const t of catalog.templates) {
    const bytes = new Uint8Array(await readFile(join(COMMITTED, t.path)));
    assert.equal(bytes.length, t.size, t.id);
    assert.equal(sha256Hex(bytes), t.sha256, t.id);
    assert.ok(verify(sha256(bytes), fromBase64(t.signature)!, fromBase64(catalog.publishers[t.publisher]!)!), t.id);
    const pkg = readPackage(bytes, t.path);
    assert.deepEqual(
      [pkg.manifest.id, pkg.manifest.version, pkg.manifest.name, pkg.manifest.category],
      [t.id, t.version, t.name, t.category],
    );
    assert.ok(pkg.files.size > 0, t.id);
  }
});

test('build-sample --check passes on the committed copy and lists the differences of a stale one', { timeout: 120_000 }, async () => {
  const ok = await runCli(['build-sample', '--check'], { cwd: REPO });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /media\/sample-marketplace is up to date/);

  // A copy of the repository's media folder where the committed marketplace is stale.
  const repo = join(tmp, 'repo');
  await cp(join(REPO, 'media'), join(repo, 'media'), { recursive: true });
  await writeFile(join(repo, SAMPLE.outDir, 'catalog.json'), '{}');
  await rm(join(repo, SAMPLE.outDir, catalog.templates[0]!.path));
  await writeFile(join(repo, SAMPLE.outDir, 'stray.txt'), 'x');
  const stale = await runCli(['build-sample', '--check'], { cwd: repo });
  assert.equal(stale.code, 1);
  assert.ok(stale.stderr.includes('differs: catalog.json'), stale.stderr);
  assert.ok(stale.stderr.includes(`missing: ${catalog.templates[0]!.path}`), stale.stderr);
  assert.ok(stale.stderr.includes('extra: stray.txt'), stale.stderr);
  assert.match(stale.stderr, /is out of date \(3 differences\)/);

  // Rebuilding fixes it, and the rebuilt copy equals the committed one.
  const rebuilt = await runCli(['build-sample'], { cwd: repo });
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.deepEqual(await compareDirs(COMMITTED, join(repo, SAMPLE.outDir)), []);
});

test('build-sample refuses to change the catalog without raising its version', { timeout: 120_000 }, async () => {
  const repo = join(tmp, 'repo-bump');
  await cp(join(REPO, 'media'), join(repo, 'media'), { recursive: true });
  const manifestPath = join(repo, SAMPLE.sourcesDir, 'readme', 'template.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { description: string };
  manifest.description += ' Changed.';
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');

  const refused = await runCli(['build-sample'], { cwd: repo });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /error\[E_FORMAT\]: .*the sample catalog changed but its version is still 1 .*Raise SAMPLE\.catalogVersion/);
  assert.deepEqual(await compareDirs(COMMITTED, join(repo, SAMPLE.outDir)), [], 'the committed copy is left as it was');
});
