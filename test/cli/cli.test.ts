import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parsePrivateKeyFile, parsePublicKey, readPackage, sha256Hex } from '../../src/core/format';
import { openCatalog } from '../../src/core/publish';
import { sampleManifest, writeTemplateDir } from '../core/publish/templateFixture';
import { rawRequest } from './httpGet';
import { runCli, spawnCli } from './runCli';

let tmp: string;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cli-'));
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[], env?: Record<string, string>) => runCli(args, { cwd: tmp, env });
const EPOCH_2026_11_01 = String(Date.UTC(2026, 10, 1) / 1000);
const EPOCH_2026_11_15 = String(Date.UTC(2026, 10, 15) / 1000);

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

test('keygen writes a 0600 private key and its public key, and never overwrites a key', async () => {
  const first = await cli(['keygen', '--out', 'keys/acme']);
  assert.equal(first.code, 0, first.stderr);
  const keyFile = join(tmp, 'keys', 'acme.key.json');
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  const key = parsePrivateKeyFile(JSON.parse(await readFile(keyFile, 'utf8')), keyFile);
  const pub = parsePublicKey(JSON.parse(await readFile(join(tmp, 'keys', 'acme.pub.json'), 'utf8')));
  assert.equal(pub.keyid, key.keyid);
  assert.ok(first.stdout.includes(key.keyid));

  const before = await readFile(keyFile);
  const second = await cli(['keygen', '--out', 'keys/acme']);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /^error\[E_CONFLICT\]: .*acme\.key\.json already exists; refusing to overwrite a private key/);
  assert.deepEqual(await readFile(keyFile), before);
  assert.deepEqual(await readdir(join(tmp, 'keys')), ['acme.key.json', 'acme.pub.json'], 'no temporary file left behind');
});

test('usage errors print the usage and exit with 2', async () => {
  const cases: [string[], RegExp][] = [
    [['keygen', '--bogus'], /error\[E_USAGE\]: Unknown option '--bogus'[\s\S]*usage: template-marketplace keygen/],
    [['frobnicate'], /error\[E_USAGE\]: unknown command "frobnicate"[\s\S]*commands:/],
    [['publish', 'www'], /missing --key[\s\S]*usage: template-marketplace publish/],
    [['serve', 'www', '--port', 'http'], /--port expects an integer from 0 to 65535, got "http"/],
    [['pack'], /missing <dir>/],
    [[], /usage: template-marketplace <command>/],
  ];
  for (const [args, expected] of cases) {
    const res = await cli(args);
    assert.equal(res.code, 2, args.join(' '));
    assert.match(res.stderr, expected);
  }
  const help = await cli(['help', 'pack']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: template-marketplace pack <dir> \[--out <file\.zip>\]/);
});

test('pack names the file and field of a bad template.json, and packs a good one deterministically', async () => {
  await writeTemplateDir(join(tmp, 'bad'), { ...sampleManifest(), category: 'Not A Slug' });
  const bad = await cli(['pack', 'bad']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error\[E_FORMAT\]: .*bad\/template\.json: category: expected a lowercase slug like "documentation", got "Not A Slug"/);

  await writeTemplateDir(join(tmp, 'good'));
  const packed = await cli(['pack', 'good']);
  assert.equal(packed.code, 0, packed.stderr);
  const zip = await readFile(join(tmp, 'acme.readme-1.0.0.zip'));
  assert.ok(packed.stdout.includes(sha256Hex(zip)));
  assert.equal(readPackage(zip).manifest.id, 'acme.readme');
  const again = await cli(['pack', 'good', '--out', 'out/again.zip']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await readFile(join(tmp, 'out', 'again.zip')), zip);
});

test('publish adds, bumps and re-signs, refuses to change a version, and leaves no temporary file', async () => {
  assert.equal((await cli(['keygen', '--out', 'keys/market'])).code, 0);
  assert.equal((await cli(['keygen', '--out', 'keys/other'])).code, 0);
  const pinned = parsePublicKey(JSON.parse(await readFile(join(tmp, 'keys', 'market.pub.json'), 'utf8')));
  const key = ['--key', 'keys/market.key.json'];
  await writeTemplateDir(join(tmp, 'v1'));
  await writeTemplateDir(join(tmp, 'other'), sampleManifest({ id: 'acme.other' }));
  assert.equal((await cli(['pack', 'other', '--out', 'other.zip'])).code, 0);

  const first = await cli(['publish', 'www', ...key, '--name', 'CLI market', 'v1', 'other.zip'], { SOURCE_DATE_EPOCH: EPOCH_2026_11_01 });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /catalog version 1, 2 templates, expires 2026-12-01T00:00:00Z\n {2}added: acme.readme, acme.other/);
  const v1 = openCatalog(await readFile(join(tmp, 'www', 'catalog.json')), pinned);
  assert.equal(v1.name, 'CLI market');
  assert.equal(v1.templates.find((t) => t.id === 'acme.readme')!.updatedAt, '2026-11-01T00:00:00Z');

  await writeTemplateDir(join(tmp, 'v2'), sampleManifest({ version: '1.1.0' }), { 'README.md': '# {{projectName}}, v2\n' });
  const second = await cli(['publish', 'www', ...key, '--expires-days', '7', 'v2'], { SOURCE_DATE_EPOCH: EPOCH_2026_11_15 });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /catalog version 2, .*expires 2026-11-22T00:00:00Z\n {2}updated: acme.readme/);
  const v2 = openCatalog(await readFile(join(tmp, 'www', 'catalog.json')), pinned);
  const entry = v2.templates.find((t) => t.id === 'acme.readme')!;
  assert.deepEqual([entry.version, entry.updatedAt, v2.name], ['1.1.0', '2026-11-15T00:00:00Z', 'CLI market']);
  const published = await readFile(join(tmp, 'www', 'catalog.json'));

  await writeTemplateDir(join(tmp, 'v2-changed'), sampleManifest({ version: '1.1.0' }), { 'README.md': 'sneaky edit\n' });
  const changed = await cli(['publish', 'www', ...key, 'v2-changed']);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /^error\[E_CONFLICT\]: acme\.readme 1\.1\.0 is already published with different content.*versions are immutable/);
  const wrongKey = await cli(['publish', 'www', '--key', 'keys/other.key.json', 'v1']);
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stderr, /^error\[E_SIGNATURE\]: .*catalog\.json is not signed by a trusted key/);
  assert.deepEqual(await readFile(join(tmp, 'www', 'catalog.json')), published, 'refusals leave the catalog alone');

  assert.deepEqual(await listTree(join(tmp, 'www')), [
    'catalog.json', 'marketplace.pub.json', 'packages',
    'packages/acme.other-1.0.0.zip', 'packages/acme.readme-1.0.0.zip', 'packages/acme.readme-1.1.0.zip',
  ]);
});

test('serve answers with ETag, 304, Last-Modified and HEAD, refuses traversal, and stops on SIGTERM', { timeout: 60_000 }, async () => {
  await writeTemplateDir(join(tmp, 'served'));
  assert.equal((await cli(['keygen', '--out', 'keys/serve'])).code, 0);
  assert.equal((await cli(['publish', 'site', '--key', 'keys/serve.key.json', 'served'])).code, 0);

  const child = spawnCli(['serve', 'site', '--port', '0'], { cwd: tmp });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await waitForUrl(child);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const catalog = await rawRequest(url, '/catalog.json');
    assert.equal(catalog.status, 200);
    assert.deepEqual(catalog.body, await readFile(join(tmp, 'site', 'catalog.json')));
    assert.match(catalog.headers.etag!, /^"[0-9a-f]{64}"$/);
    assert.ok(catalog.headers['last-modified']);

    const revalidated = await rawRequest(url, '/catalog.json', { headers: { 'If-None-Match': catalog.headers.etag! } });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body.length, 0);
    const sinceLastModified = await rawRequest(url, '/catalog.json', { headers: { 'If-Modified-Since': catalog.headers['last-modified']! } });
    assert.equal(sinceLastModified.status, 304);
    const head = await rawRequest(url, '/packages/acme.readme-1.0.0.zip', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['content-type'], 'application/zip');
    assert.equal(Number(head.headers['content-length']), (await stat(join(tmp, 'site', 'packages', 'acme.readme-1.0.0.zip'))).size);
    for (const path of ['/../keys/serve.key.json', '/%2e%2e/keys/serve.key.json', '/packages%2f..%2f..%2fkeys%2fserve.key.json']) {
      const res = await rawRequest(url, path);
      assert.equal(res.status, 400, path);
      assert.ok(!res.body.toString().includes('seed'), path);
    }

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/** Resolves with the URL the server prints, or rejects if the process ends before printing one. */
function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /at (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing a URL: ${err}`)));
  });
}
