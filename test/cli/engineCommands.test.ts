import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FixtureServer, MarketplaceFixture, tempDir } from '../helpers/marketplaceFixture';
import { runCli } from './runCli';

describe('CLI engine commands', () => {
  test('search reads the embedded sample marketplace by default', async (t) => {
    const cache = await tempDir(t);
    const r = await runCli(['search', 'decision', '--cache', cache], { cwd: cache });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^samples\/adr\s+1\.0\.0\s+documentation\s+Architecture Decision Record/m);

    const json = await runCli(['search', '--category', 'file', '--json', '--cache', cache], { cwd: cache });
    const entries = JSON.parse(json.stdout) as { ref: string; category: string }[];
    assert.ok(entries.length >= 2 && entries.every((e) => e.category === 'file'));
  });

  test('verify checks every package of a served marketplace and fails on a bad signature', async (t) => {
    const fixture = new MarketplaceFixture([{ id: 'readme' }, { id: 'adr' }, { id: 'runbook' }]);
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const cache = await tempDir(t);
    const source = ['--source', server.url, '--key', fixture.publicKey, '--cache', cache];

    const good = await runCli(['verify', ...source], { cwd: cache });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /3 verified, 0 failed/);

    // The same marketplace, re-signed at a higher version with adr's signature swapped for readme's.
    const entries = fixture.catalog.templates;
    entries.find((e) => e.id === 'adr')!.signature = entries.find((e) => e.id === 'readme')!.signature;
    fixture.catalog.version = 2;
    fixture.signCatalog();
    const bad = await runCli(['verify', ...source], { cwd: cache });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /FAILED {2}cli\/adr: error\[E_SIGNATURE\]: template "cli\/adr"/);
    assert.match(bad.stdout, /2 verified, 1 failed/);
  });

  test('verify refuses a source without a pinned key, as a usage error', async (t) => {
    const cache = await tempDir(t);
    const r = await runCli(['verify', '--source', 'http://127.0.0.1:9/', '--cache', cache], { cwd: cache });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--source needs --key/);
  });

  test('install writes a sample template with variables and never overwrites silently', async (t) => {
    const dir = await tempDir(t);
    const cache = join(dir, 'cache');
    const ws = join(dir, 'ws');
    const args = ['install', 'readme', ws, '--cache', cache, '--var', 'projectName=acme-widgets'];
    const first = await runCli(args, { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const readme = await readFile(join(ws, 'README.md'), 'utf8');
    assert.match(readme, /acme-widgets/);
    assert.doesNotMatch(readme, /\{\{\s*projectName\s*\}\}/);

    await mkdir(ws, { recursive: true });
    await writeFile(join(ws, 'README.md'), 'mine\n');
    const again = await runCli(args, { cwd: dir });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error\[E_CONFLICT\]: .*README\.md/);
    assert.equal(await readFile(join(ws, 'README.md'), 'utf8'), 'mine\n');

    const skipped = await runCli([...args, '--on-conflict', 'skip'], { cwd: dir });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /skipped\s+README\.md/);
  });

  test('install names a variable that does not match its pattern', async (t) => {
    const dir = await tempDir(t);
    const r = await runCli(['install', 'adr', join(dir, 'ws'), '--cache', join(dir, 'c'), '--var', 'number=12'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error\[E_FORMAT\]:.*number/);
  });
});
