import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MarketplaceClient } from '../../src/core';
import { sha256Hex } from '../../src/core/format';
import { LoopbackServer } from '../helpers/loopbackServer';
import { FixtureServer, MarketplaceFixture, tempDir } from '../helpers/marketplaceFixture';
import { main } from '../../src/cli/cli';
import type { CliIo } from '../../src/cli/io';
import { runCli } from './runCli';

function captureIo(cwd: string): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: {}, cwd, untilStopped: () => new Promise(() => undefined) };
}

/** Anything a hostile text could use to take over a terminal, as it would appear raw. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/;

describe('CLI hardening', { timeout: 120_000 }, () => {
  test('an expired catalog cut off by a reset is browsed, never installed or verified', async (t) => {
    const fixture = new MarketplaceFixture([{ id: 'readme' }, { id: 'adr' }], { expires: '2026-01-01T00:00:00Z' });
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const dir = await tempDir(t);
    const cache = join(dir, 'cache');
    // Accepted (and the package cached) while the catalog was valid: a client run in December 2025.
    const earlier = await MarketplaceClient.open({
      sources: [{ id: 'cli', url: server.url, publicKey: fixture.publicKey }],
      cacheDir: cache,
      now: () => Date.parse('2025-12-20T00:00:00Z'),
    });
    assert.equal((await earlier.downloadBatch(['readme'])).totals.done, 1);
    await earlier.close();
    // Now the catalog has expired and every connection for it is reset.
    server.inject('catalog.json', ...Array.from({ length: 200 }, () => 'reset' as const));
    const source = ['--source', server.url, '--key', fixture.publicKey, '--cache', cache, '--deadline', '20'];

    const search = await runCli(['search', ...source], { cwd: dir });
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /cli\/readme/);

    await mkdir(join(dir, 'ws'));
    const install = await runCli(['install', 'readme', join(dir, 'ws'), ...source], { cwd: dir });
    assert.equal(install.code, 1);
    assert.match(install.stderr, /^error\[E_EXPIRED\]: .*expired at 2026-01-01T00:00:00Z and could not be revalidated \(E_NETWORK/);
    assert.equal(install.stdout, '');

    const verify = await runCli(['verify', ...source], { cwd: dir });
    assert.equal(verify.code, 1, 'verify must not pass on a catalog it could not revalidate');
    assert.match(verify.stderr, /^error\[E_NETWORK\]: .*could not revalidate the catalog/);
    assert.doesNotMatch(verify.stdout, /verified/);
  });

  test("marketplaces given with --source keep separate rollback memories, and trust show|reset manage them", async (t) => {
    const high = new MarketplaceFixture([{ id: 'readme' }], { version: 10 });
    const low = new MarketplaceFixture([{ id: 'adr' }], { version: 3 });
    const [a, b] = [await FixtureServer.start(high), await FixtureServer.start(low)];
    t.after(() => Promise.all([a.close(), b.close()]));
    const dir = await tempDir(t);
    const cache = join(dir, 'cache');
    const sourceA = ['--source', a.url, '--key', high.publicKey, '--cache', cache];
    const sourceB = ['--source', b.url, '--key', low.publicKey, '--cache', cache];

    assert.equal((await runCli(['search', ...sourceA], { cwd: dir })).code, 0);
    const other = await runCli(['search', ...sourceB], { cwd: dir });
    assert.equal(other.code, 0, `version 3 of another marketplace is not a rollback: ${other.stderr}`);
    assert.match(other.stdout, /cli\/adr/);

    const shown = await runCli(['trust', 'show', '--cache', cache], { cwd: dir });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`${a.url}\\s+key [0-9a-f]{16}…\\s+version 10`));
    assert.match(shown.stdout, new RegExp(`${b.url}\\s+key [0-9a-f]{16}…\\s+version 3`));

    // A damaged trust file with nothing cached: refused, with the command that fixes it.
    await writeFile(join(cache, 'trust.json'), '{ damaged');
    await rm(join(cache, 'cache'), { recursive: true, force: true });
    const refused = await runCli(['search', ...sourceA], { cwd: dir });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error\[E_TRUST_STORE\]: .*trust reset --source/);
    const recovering = await runCli(['trust', 'show', '--cache', cache], { cwd: dir });
    assert.match(recovering.stdout, /recovering: the trust file is not valid JSON/);

    const reset = await runCli(['trust', 'reset', ...sourceA], { cwd: dir });
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /forgot the rollback memory of http/);
    assert.equal((await runCli(['search', ...sourceA], { cwd: dir })).code, 0);
    assert.equal((await runCli(['search', ...sourceB], { cwd: dir })).code, 1, 'the other marketplace still needs its own recovery');

    const all = await runCli(['trust', 'reset', '--cache', cache], { cwd: dir });
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /forgot the rollback memory of \d+ marketplaces? and emptied the cache/);
    assert.equal((await runCli(['search', ...sourceB], { cwd: dir })).code, 0);

    const usage = await runCli(['trust', 'forget', '--cache', cache], { cwd: dir });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /expected "show" or "reset"/);
  });

  test('a trickling marketplace is cut off by --min-speed, an endless one by --deadline', async (t) => {
    const fixture = new MarketplaceFixture([{ id: 'readme' }]);
    const catalog = fixture.files.get('catalog.json')!;
    let mode: 'trickle' | 'steady' = 'trickle';
    const server = await LoopbackServer.start((_req, res) => {
      // trickle: 1 byte every 20 ms (50 B/s); steady: 64 bytes every 10 ms (6.4 KB/s) of an endless body.
      if (mode === 'trickle') drip(res, catalog, 1, 20);
      else drip(res, new Uint8Array(8 * 1024 * 1024 - 1), 64, 10);
    });
    t.after(() => server.close());
    const dir = await tempDir(t);
    const source = ['--source', server.url('/'), '--key', fixture.publicKey, '--cache', join(dir, 'cache')];

    const slow = await runCli(['search', ...source, '--min-speed', '1000', '--min-speed-window', '0.2'], { cwd: dir });
    assert.equal(slow.code, 1);
    assert.match(slow.stderr, /^error\[E_TIMEOUT\]: .*slower than the minimum of 1000 bytes\/s over 0\.2 s/);

    mode = 'steady';
    const endless = await runCli(['search', ...source, '--min-speed', '1000', '--min-speed-window', '0.2', '--deadline', '0.5'], { cwd: dir });
    assert.equal(endless.code, 1);
    assert.match(endless.stderr, /^error\[E_TIMEOUT\]: .*did not complete within its 0\.5 s deadline/);

    // Usage errors, in process: nothing is opened before the flags are checked.
    for (const bad of [['--deadline', 'soon'], ['--deadline', '0'], ['--min-speed', '0'], ['--min-speed-window', '1e3']]) {
      const io = captureIo(dir);
      assert.equal(await main(['search', ...source, ...bad], io), 2, bad.join(' '));
      assert.match(io.stderr.join('\n'), new RegExp(`error\\[E_USAGE\\]: ${bad[0]} expects`));
    }
  });

  test('text from a catalog never reaches the terminal raw, in listings, JSON or errors', async (t) => {
    const fixture = new MarketplaceFixture([{ id: 'readme', description: 'Fine\r\u001b[2J\u001b]0;pwned\u0007 \u202etxt.exe\u2028next' }]);
    fixture.catalog.templates[0]!.name = 'Read\u001b[31mME\u009b1m\u200b';
    fixture.catalog.templates[0]!.author = 'Mallory\u0008\u0008\u0008Alice';
    fixture.signCatalog();
    const server = await FixtureServer.start(fixture);
    t.after(() => server.close());
    const dir = await tempDir(t);
    const source = ['--source', server.url, '--key', fixture.publicKey, '--cache', join(dir, 'cache')];

    const listed = await runCli(['search', ...source], { cwd: dir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.doesNotMatch(listed.stdout, RAW_CONTROL);
    assert.ok(listed.stdout.includes('Read\\u001b[31mME\\u009b1m\\u200b — Fine\\r\\u001b[2J\\u001b]0;pwned\\u0007 \\u202etxt.exe\\u2028next'), listed.stdout);

    const json = await runCli(['search', '--json', ...source], { cwd: dir });
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, RAW_CONTROL);
    const [entry] = JSON.parse(json.stdout) as { name: string; description: string; author: string }[];
    assert.equal(entry?.name, fixture.catalog.templates[0]!.name, 'the JSON still decodes to the exact catalog text');
    assert.equal(entry?.description, fixture.catalog.templates[0]!.description);
    assert.equal(entry?.author, fixture.catalog.templates[0]!.author);

    // An error quoting catalog text: a version that is not semver, carrying an escape sequence.
    fixture.catalog.templates[0]!.version = '1.0.0\u001b[2J';
    fixture.catalog.version = 2;
    fixture.signCatalog();
    const refused = await runCli(['search', ...source, '--cache', join(dir, 'fresh-cache')], { cwd: dir });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /error\[E_FORMAT\]: .*version: expected a semantic version like 1\.2\.0, got "1\.0\.0\\u001b\[2J"/);
    assert.doesNotMatch(refused.stderr, RAW_CONTROL);
  });
});

/** Writes `body` `chunk` bytes every `everyMs` (stopping when the client goes away). */
function drip(res: ServerResponse, body: Uint8Array, chunk: number, everyMs: number): void {
  res.writeHead(200, { 'content-length': String(body.length), etag: `"${sha256Hex(body).slice(0, 8)}"` });
  let at = 0;
  const timer = setInterval(() => {
    if (res.destroyed || at >= body.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.subarray(at, at + chunk));
    at += chunk;
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}
