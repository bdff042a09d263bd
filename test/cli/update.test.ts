import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { PROVENANCE_FILE } from '../../src/core/provenance';
import { FixtureServer, MarketplaceFixture, tempDir, type FixtureTemplate } from '../helpers/marketplaceFixture';
import { main } from '../../src/cli/cli';
import { runCli } from './runCli';

const GUIDE = 'one\ntwo\nthree\nfour\nfive\nsix\n';
const V1: FixtureTemplate = {
  id: 'docs', version: '1.0.0',
  files: { 'README.md': '# {{projectName}} v1\n', 'guide.md': GUIDE, 'old.md': 'old\n', 'LICENSE': 'MIT\n' },
};
const V2: FixtureTemplate = {
  id: 'docs', version: '2.0.0',
  files: { 'README.md': '# {{projectName}} v2\n', 'guide.md': GUIDE.replace('two', 'two (v2)'), 'LICENSE': 'MIT\n', 'new.md': 'new\n' },
};

/** A loopback marketplace with v1 installed into a folder by the CLI, then v2 published. */
async function setup(t: TestContext, v2: FixtureTemplate = V2) {
  const dir = await tempDir(t);
  const fixture = new MarketplaceFixture([V1]);
  const server = await FixtureServer.start(fixture);
  t.after(() => server.close());
  let caches = 0;
  // A fresh cache per run, so each reads the catalog as it is now.
  const engine = () => ['--source', server.url, '--key', fixture.publicKey, '--cache', join(dir, `cache${caches++}`)];
  const ws = join(dir, 'ws');
  const installed = await runCli(['install', 'docs', ws, '--var', 'projectName=acme', ...engine()], { cwd: dir });
  assert.equal(installed.code, 0, installed.stderr);
  fixture.publish([v2], { version: 2 });
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const name of (await readdir(ws)).sort()) out[name] = await readFile(join(ws, name), 'utf8');
    return out;
  };
  return { dir, ws, fixture, engine, snapshot };
}

describe('CLI update', () => {
  test('a clean update over a local edit: per-file lines, exit 0, then nothing to update', async (t) => {
    const { ws, engine, snapshot } = await setup(t);
    await writeFile(join(ws, 'guide.md'), GUIDE.replace('five', 'five (mine)'));
    const r = await runCli(['update', ...engine()], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cli\/docs {2}1\.0\.0 → 2\.0\.0$/m);
    assert.match(r.stdout, /^ {2}updated +README\.md$/m);
    assert.match(r.stdout, /^ {2}merged +guide\.md$/m);
    assert.match(r.stdout, /^ {2}deleted +old\.md$/m);
    assert.match(r.stdout, /^ {2}added +new\.md$/m);
    assert.doesNotMatch(r.stdout, /LICENSE/, 'unchanged files are not listed');
    assert.match(r.stdout, /updated 1 of 1 cleanly/);
    const files = await snapshot();
    assert.equal(files['guide.md'], 'one\ntwo (v2)\nthree\nfour\nfive (mine)\nsix\n');
    assert.equal(files['old.md'], undefined);

    const again = await runCli(['update', 'docs', '--dir', ws, ...engine()], { cwd: ws });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /docs: up to date/);
    const status = await runCli(['status', ...engine()], { cwd: ws });
    assert.equal(status.code, 1, 'guide.md differs from the new rendering: locally modified');
    assert.match(status.stdout, /2\.0\.0 → 2\.0\.0 {2}locally modified/);
  });

  test('a conflict: --conflict fail writes nothing and exits 1; markers are written by default, exit 1', async (t) => {
    const { ws, engine, snapshot } = await setup(t);
    await writeFile(join(ws, 'guide.md'), GUIDE.replace('two', 'two (mine)'));
    const before = await snapshot();
    const refused = await runCli(['update', '--conflict', 'fail', ...engine()], { cwd: ws });
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /^ {2}CONFLICT +guide\.md {2}\(changed locally and upstream\)$/m);
    assert.match(refused.stderr, /error\[E_UPDATE_CONFLICT\]: 1 conflict \(cli\/docs: guide\.md\); nothing was written/);
    assert.deepEqual(await snapshot(), before, 'folder and record byte-identical');

    const json = await runCli(['update', '--conflict', 'fail', '--json', ...engine()], { cwd: ws });
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; updates: { applied: boolean; conflicts: string[] }[] };
    assert.deepEqual([parsed.ok, parsed.updates[0]!.applied, parsed.updates[0]!.conflicts], [false, false, ['guide.md']]);

    const marked = await runCli(['update', ...engine()], { cwd: ws });
    assert.equal(marked.code, 1, marked.stderr);
    assert.match(marked.stdout, /^ {2}CONFLICT +guide\.md {2}\(changed locally and upstream; conflict markers written\)$/m);
    assert.match(marked.stdout, /1 conflict needs resolving/);
    assert.match((await snapshot())['guide.md']!, /^one\n<<<<<<< local\ntwo \(mine\)\n\|\|\|\|\|\|\| docs 1\.0\.0\ntwo\n=======\ntwo \(v2\)\n>>>>>>> docs 2\.0\.0\n/);
  });

  test('a new variable: a clear error naming --var, then the update with it', async (t) => {
    const v2: FixtureTemplate = {
      ...V2,
      variables: [{ name: 'projectName', prompt: 'Project name', pattern: '[a-z-]+' }, { name: 'owner', prompt: 'Code owner', pattern: '@[a-z]+' }],
      files: { ...V2.files, CODEOWNERS: '* {{owner}}\n' },
    };
    const { ws, engine, snapshot } = await setup(t, v2);
    const before = await snapshot();
    const missing = await runCli(['update', ...engine()], { cwd: ws });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error\[E_UPDATE_VARIABLES\]: docs: the new version needs an answer; run again with:\n {2}--var owner=\.\.\. {3}Code owner \(new in this version, pattern @\[a-z\]\+\)/);
    assert.deepEqual(await snapshot(), before);
    const r = await runCli(['update', '--var', 'owner=@acme', ...engine()], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /new variable owner = "@acme"/);
    assert.equal((await snapshot()).CODEOWNERS, '* @acme\n');
  });

  test('a tampered v2 is refused with nothing written', async (t) => {
    const { ws, engine, snapshot, fixture } = await setup(t);
    const path = 'packages/docs-2.0.0.zip';
    const bytes = new Uint8Array(fixture.files.get(path)!);
    bytes[bytes.length - 40]! ^= 1;
    fixture.files.set(path, bytes);
    const before = await snapshot();
    const r = await runCli(['update', ...engine()], { cwd: ws });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error\[E_INTEGRITY\]/);
    assert.deepEqual(await snapshot(), before);
  });
});

describe('CLI verify --installed', () => {
  test('passes on an intact folder; reports modified files and a package that is not the recorded one', async (t) => {
    const { ws, engine, fixture } = await setup(t);
    const ok = await runCli(['verify', '--installed', ...engine()], { cwd: ws });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^ok {6}cli\/docs 1\.0\.0 \(package verified, files as recorded; the catalog now lists 2\.0\.0\)$/m);
    assert.match(ok.stdout, /1 verified, 0 failed/);

    await writeFile(join(ws, 'README.md'), 'mine\n');
    const v1 = 'packages/docs-1.0.0.zip';
    const bytes = new Uint8Array(fixture.files.get(v1)!);
    bytes[bytes.length - 40]! ^= 1;
    fixture.files.set(v1, bytes);
    const bad = await runCli(['verify', '--installed', ws, ...engine()], { cwd: ws });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^FAILED {2}cli\/docs 1\.0\.0/m);
    assert.match(bad.stdout, /^ {2}modified since installed: README\.md$/m);
    assert.match(bad.stdout, /^ {2}package docs 1\.0\.0: error\[E_INTEGRITY\]/m);
    const json = await runCli(['verify', '--installed', ws, '--json', ...engine()], { cwd: ws });
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; entries: { modified: string[]; package: { ok: boolean; code?: string } }[] };
    assert.deepEqual([parsed.ok, parsed.entries[0]!.modified, parsed.entries[0]!.package.code], [false, ['README.md'], 'E_INTEGRITY']);
    assert.ok((await readFile(join(ws, PROVENANCE_FILE), 'utf8')).includes('"version": "1.0.0"'), 'verify writes nothing');
  });
});

describe('CLI --help', () => {
  test('every command answers --help and -h with its usage and exits 0', async (t) => {
    const dir = await tempDir(t);
    // In process for every command and both flags (main() is what the executable runs)...
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env: {}, cwd: dir, untilStopped: () => new Promise<void>(() => undefined) };
      return { code: await main(argv, io), stdout: out.join('\n'), stderr: err.join('\n') };
    };
    const list = await run(['--help']);
    assert.equal(list.code, 0);
    const names = [...list.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    assert.ok(names.includes('update') && names.includes('install') && names.length >= 12, names.join(' '));
    for (const name of names) {
      for (const flag of ['--help', '-h']) {
        const r = await run([name, flag]);
        assert.equal(r.code, 0, `${name} ${flag}: ${r.stderr}`);
        assert.ok(r.stdout.startsWith(`usage: template-marketplace ${name}`), `${name} ${flag}: ${r.stdout}`);
      }
    }
    // Also after other arguments, even ones that are a usage error; not as the value of --var.
    assert.equal((await run(['install', 'x', '--on-conflict', 'bogus', '-h'])).code, 0);
    assert.equal((await run(['install', 'readme', join(dir, 'ws'), '--var', '-h', '--cache', join(dir, 'c')])).code, 2, 'a --var value is no help flag');
    assert.deepEqual(await readdir(dir), [], 'nothing was installed');

    // ...and as a child process, the way a user runs it.
    for (const argv of [['install', '--help'], ['update', '-h'], ['verify', '-h']]) {
      const r = await runCli(argv, { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: template-marketplace ${argv[0]} `));
    }
  });
});
