import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DiskCache } from '../../../src/core/cache';
import { hammer, OWN_KEYS, ownerOf, SHARED_KEYS, SHARED_STORE, type HammerReport } from './fixtures/hammer';
import { makePayload, payloadProblem } from './fixtures/payload';
import { tempDir } from './helpers';

const REPO_ROOT = resolve(__dirname, '../../..');
const FIXTURES = join(__dirname, 'fixtures');
/** Far enough ahead that every temp file and orphan blob is past gc's one-minute grace period. */
const LATER = 10 * 60_000;

/** Runs a fixture script in a second Node process, with its stdout as lines. */
function runFixture(script: string, args: string[]): { child: ChildProcess; nextLine: (match: RegExp) => Promise<string>; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, script), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines: string[] = [];
  const waiting = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiting) wake();
  });
  const nextLine = (match: RegExp): Promise<string> =>
    new Promise((resolveLine, reject) => {
      const look = (): void => {
        const found = lines.find((line) => match.test(line));
        if (found === undefined) return;
        waiting.delete(look);
        resolveLine(found);
      };
      waiting.add(look);
      look();
      // The exit event fires before the last stdout lines may have been read: give them one turn.
      void exited.then(() =>
        setImmediate(() => {
          if (!waiting.delete(look)) return;
          reject(new assert.AssertionError({ message: `${script} exited without printing ${match}; stderr:\n${stderr}` }));
        }),
      );
    });
  return { child, nextLine, exited };
}

/** Checks the folder with plain fs calls, independently of DiskCache: no temp files, every v1 record names an existing blob, every blob is named. */
async function assertConsistentStore(dir: string): Promise<{ records: number; blobs: number; bytes: number }> {
  const named = new Set<string>();
  let bytes = 0;
  const recordNames = await readdir(join(dir, 'keys'));
  for (const name of recordNames) {
    assert.match(name, /^[0-9a-f]{64}\.json$/, 'only records in keys/');
    const file = await readFile(join(dir, 'keys', name));
    bytes += file.byteLength;
    // v1: one line of JSON naming a blob; v2: a JSON line, then the value itself (no blob).
    const newline = file.indexOf(0x0a);
    const record = JSON.parse(file.subarray(0, newline < 0 ? file.byteLength : newline).toString('utf8')) as { v: number; meta: { sha256: string } };
    assert.equal(record.v, newline < 0 ? 1 : 2, 'a record holds its value exactly when it says so');
    if (record.v === 1) named.add(record.meta.sha256);
  }
  let blobs = 0;
  for (const fanout of await readdir(join(dir, 'blobs'))) {
    for (const name of await readdir(join(dir, 'blobs', fanout))) {
      assert.match(name, /^[0-9a-f]{64}$/, 'only blobs in blobs/');
      assert.ok(named.has(name), `blob ${name} is named by a record`);
      bytes += (await readFile(join(dir, 'blobs', fanout, name))).byteLength;
      blobs++;
    }
  }
  assert.equal(blobs, named.size, 'every record names an existing blob');
  return { records: recordNames.length, blobs, bytes };
}

describe('DiskCache shared by two processes', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await dir.dispose();
  });

  it('never serves wrong bytes while two processes set, get, delete and sweep the same folder', { timeout: 120_000 }, async () => {
    const iterations = 300;
    const other = runFixture('hammerProcess.ts', [dir.path, '2', String(iterations)]);
    children.push(other.child);
    await other.nextLine(/^ready$/);

    const cache = await DiskCache.open({ dir: dir.path, ...SHARED_STORE });
    const mine = await hammer(cache, 1, iterations);
    await cache.close();
    const theirs = JSON.parse(await other.nextLine(/^\{/)) as HammerReport;
    await other.exited;
    assert.equal(other.child.exitCode, 0);

    for (const report of [mine, theirs]) {
      assert.deepEqual(report.bad, [], 'every hit was exactly a written value of its key');
      assert.deepEqual(report.errors, [], 'no operation failed');
    }
    assert.ok(mine.hits + theirs.hits > 0, 'the run exercised hits, not only misses');
    assert.ok(mine.sets > 0 && theirs.sets > 0);

    // Afterwards (and later than every grace period), one sweep leaves a consistent store in budget.
    const later = await DiskCache.open({ dir: dir.path, ...SHARED_STORE, now: () => Date.now() + LATER });
    await later.gc();
    const store = await assertConsistentStore(dir.path);
    assert.ok(store.bytes <= SHARED_STORE.maxBytes, `${store.bytes} bytes <= ${SHARED_STORE.maxBytes}`);
    let served = 0;
    for (const key of [...OWN_KEYS, ...SHARED_KEYS]) {
      const item = await later.get(key);
      if (!item) continue;
      served++;
      assert.equal(payloadProblem(ownerOf(key), item.bytes), undefined);
    }
    assert.equal(served, store.records, 'every record left is served, and served correctly');
    await later.close();
  });

  it('a process killed mid-write leaves the entry readable, old or new, and gc cleans up after it', { timeout: 120_000 }, async () => {
    const cache = await DiskCache.open({ dir: dir.path, maxBytes: 64 * 1024 * 1024, ttlMs: 60 * 60_000 });
    await cache.set('pkg', makePayload('pkg', 0, 'random', 1024 * 1024));

    const writer = runFixture('writerProcess.ts', [dir.path, 'pkg', '200']);
    children.push(writer.child);
    await writer.nextLine(/^wrote 1$/);
    writer.child.kill('SIGKILL');
    await writer.exited;

    const item = await cache.get('pkg');
    assert.ok(item, 'the entry survived the kill');
    assert.equal(payloadProblem('pkg', item.bytes), undefined);
    await cache.close();

    const later = await DiskCache.open({ dir: dir.path, maxBytes: 64 * 1024 * 1024, ttlMs: 60 * 60_000, now: () => Date.now() + LATER });
    await later.gc();
    const store = await assertConsistentStore(dir.path);
    assert.deepEqual({ records: store.records, blobs: store.blobs }, { records: 1, blobs: 0 }, 'one record holding its 1 MB value, no blob');
    assert.deepEqual((await later.get('pkg'))?.bytes, item.bytes);
    await later.close();
  });

  it('a process killed mid-way through writes with nothing to replace (in place, no rename) never leaves wrong bytes to serve', { timeout: 120_000 }, async () => {
    const writer = runFixture('writerProcess.ts', [dir.path, 'fresh', '200', 'fresh']);
    children.push(writer.child);
    await writer.nextLine(/^wrote 3$/);
    writer.child.kill('SIGKILL');
    await writer.exited;

    const corrupt: string[] = [];
    const cache = await DiskCache.open({ dir: dir.path, maxBytes: 512 * 1024 * 1024, ttlMs: 60 * 60_000, onCorrupt: (key) => corrupt.push(key) });
    let served = 0;
    for (let i = 1; i <= 200; i++) {
      const item = await cache.get(`fresh-${i}`);
      if (!item) continue;
      served++;
      assert.equal(payloadProblem('fresh', item.bytes), undefined, `fresh-${i} is exactly what was written`);
      // A torn entry (the write the kill landed in) is dropped and stored again like any miss.
    }
    assert.ok(served >= 3, `the finished writes survived (${served})`);
    assert.ok(corrupt.length <= 1, `at most the one write the kill landed in is torn (${corrupt.join(', ')})`);
    await cache.close();

    const later = await DiskCache.open({ dir: dir.path, maxBytes: 512 * 1024 * 1024, ttlMs: 60 * 60_000, now: () => Date.now() + LATER });
    await later.gc();
    const store = await assertConsistentStore(dir.path);
    assert.equal(store.records, served, 'gc left exactly the entries that read whole');
    for (let i = 1; i <= 200; i++) {
      const item = await later.get(`fresh-${i}`);
      if (item) assert.equal(payloadProblem('fresh', item.bytes), undefined);
    }
    await later.close();
  });
});
