import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeFileAtomic, writeFileExclusive } from '../../../src/core/util/atomicFile';

let tmp: string;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'atomic-file-'));
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('writeFileAtomic replaces a file and leaves no temporary file', async () => {
  const file = join(tmp, 'a.json');
  await writeFile(file, 'old');
  await writeFileAtomic(file, new TextEncoder().encode('new'));
  assert.equal(await readFile(file, 'utf8'), 'new');
  assert.deepEqual(await readdir(tmp), ['a.json']);
});

test('writeFileAtomic cleans up when the rename fails', async () => {
  const dir = join(tmp, 'rename-fails');
  const target = join(dir, 'catalog.json');
  // A non-empty folder cannot be replaced by a file.
  await mkdir(join(target, 'child'), { recursive: true });
  await assert.rejects(writeFileAtomic(target, new Uint8Array([1])), (err: NodeJS.ErrnoException) => typeof err.code === 'string');
  assert.deepEqual(await readdir(dir), ['catalog.json']);
});

test('writeFileExclusive never replaces an existing file', async () => {
  const file = join(tmp, 'secret.key.json');
  await writeFileExclusive(file, new TextEncoder().encode('first'), 0o600);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await assert.rejects(writeFileExclusive(file, new TextEncoder().encode('second'), 0o600), { code: 'EEXIST' });
  assert.equal(await readFile(file, 'utf8'), 'first');
  assert.deepEqual((await readdir(tmp)).filter((name) => name.startsWith('secret')), ['secret.key.json']);
});
