import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MarketplaceFixture, tempDir } from '../helpers/marketplaceFixture';
import { runCli } from './runCli';

describe('CLI status', () => {
  test('up to date exits 0; drift and updates exit 1, in text and --json', async (t) => {
    const dir = await tempDir(t);
    const fixture = new MarketplaceFixture([{ id: 'readme', files: { 'README.md': '# {{projectName}}\n', 'docs/a.md': 'a\n' } }, { id: 'adr' }]);
    const market = join(dir, 'market');
    await fixture.writeTo(market);
    const engine = ['--source', market, '--key', fixture.publicKey, '--cache', join(dir, 'cache')];
    const ws = join(dir, 'ws');

    const empty = await runCli(['status', ws, ...engine], { cwd: dir });
    assert.equal(empty.code, 1, 'a folder that does not exist is an error');
    const installed = await runCli(['install', 'readme', ws, '--var', 'projectName=acme', ...engine], { cwd: dir });
    assert.equal(installed.code, 0, installed.stderr);

    const clean = await runCli(['status', ...engine], { cwd: ws });
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /^cli\/readme {2}1\.0\.0 → 1\.0\.0 {2}up to date$/m);
    assert.match(clean.stdout, /1 of 1 up to date/);

    await writeFile(join(ws, 'README.md'), '# mine\n');
    await rm(join(ws, 'docs', 'a.md'));
    const drift = await runCli(['status', ws, ...engine], { cwd: dir });
    assert.equal(drift.code, 1);
    assert.match(drift.stdout, /^cli\/readme {2}1\.0\.0 → 1\.0\.0 {2}missing files, locally modified$/m);
    assert.match(drift.stdout, /^ {2}modified {2}README\.md$/m);
    assert.match(drift.stdout, /^ {2}missing {3}docs\/a\.md$/m);

    const json = await runCli(['status', ws, '--json', ...engine], { cwd: dir });
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; entries: { key: string; entry: { template: { version: string } }; status: { state: string; modified: string[]; missing: string[] } }[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.entries.map((e) => [e.key, e.entry.template.version, e.status.state, e.status.modified, e.status.missing]), [
      ['cli/readme', '1.0.0', 'missing-files', ['README.md'], ['docs/a.md']],
    ]);

    // A new catalog version with readme 2.0.0 (fresh cache, so it is read now).
    fixture.publish([{ id: 'readme', version: '2.0.0' }], { version: 2 });
    await fixture.writeTo(market);
    const update = await runCli(['status', ws, '--source', market, '--key', fixture.publicKey, '--cache', join(dir, 'cache2')], { cwd: dir });
    assert.equal(update.code, 1);
    assert.match(update.stdout, /^cli\/readme {2}1\.0\.0 → 2\.0\.0 {2}update available, missing files, locally modified$/m);
  });

  test('a folder without a record says so and exits 0; --help and -h print the usage', async (t) => {
    const dir = await tempDir(t);
    const r = await runCli(['status', dir, '--cache', join(dir, 'cache')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no templates recorded in .* \(no \.template-marketplace\.json\)/);
    for (const flag of ['--help', '-h']) {
      const help = await runCli(['status', flag], { cwd: dir });
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^usage: template-marketplace status \[dir\] \[--json\]/);
    }
  });
});
