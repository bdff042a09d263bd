import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FileTransaction } from '../../../src/core/install/fileTransaction';
import { tempDir } from '../../helpers/marketplaceFixture';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);

/** What updates ask of the transaction beyond installs: deletions, and files that must not have changed meanwhile. */
describe('FileTransaction deletes and expected contents', () => {
  test('a delete and a replace commit together; a rollback before the commit restores the deleted file', async (t) => {
    const root = await realpath(await tempDir(t));
    await mkdir(join(root, 'docs'));
    await writeFile(join(root, 'docs', 'old.md'), 'old');
    await writeFile(join(root, 'a.md'), 'a1');

    const rolledBack = new FileTransaction({ base: root, missing: [] });
    await rolledBack.begin([{ rel: 'docs/old.md', delete: true, expect: sha('old') }, { rel: 'a.md', bytes: utf8('a2'), replace: true }]);
    await rolledBack.stage('docs/old.md');
    await rolledBack.stage('a.md');
    assert.deepEqual(await rolledBack.rollback(), []);
    assert.equal(await readFile(join(root, 'docs', 'old.md'), 'utf8'), 'old');
    assert.deepEqual((await readdir(root)).sort(), ['a.md', 'docs']);

    const tx = new FileTransaction({ base: root, missing: [] });
    await tx.begin([{ rel: 'docs/old.md', delete: true, expect: sha('old') }, { rel: 'a.md', bytes: utf8('a2'), replace: true, expect: sha('a1') }]);
    await tx.stage('docs/old.md');
    await tx.stage('a.md');
    await tx.commit();
    assert.deepEqual(await readdir(join(root, 'docs')), [], 'deleted, and no backup left');
    assert.equal(await readFile(join(root, 'a.md'), 'utf8'), 'a2');
  });

  test('a file saved by someone after it was read is not replaced or deleted: the commit fails and restores all', async (t) => {
    const root = await realpath(await tempDir(t));
    await writeFile(join(root, 'a.md'), 'a1');
    await writeFile(join(root, 'b.md'), 'b1');
    const tx = new FileTransaction({ base: root, missing: [] });
    await tx.begin([{ rel: 'a.md', bytes: utf8('a2'), replace: true, expect: sha('a1') }, { rel: 'b.md', delete: true, expect: sha('b1') }]);
    await tx.stage('a.md');
    await tx.stage('b.md');
    await writeFile(join(root, 'b.md'), 'saved meanwhile');
    await assert.rejects(tx.commit(), { code: 'E_CONFLICT', paths: ['b.md'] });
    assert.deepEqual(await tx.rollback(), []);
    assert.equal(await readFile(join(root, 'a.md'), 'utf8'), 'a1', 'the file already replaced is restored');
    assert.equal(await readFile(join(root, 'b.md'), 'utf8'), 'saved meanwhile');
    assert.deepEqual((await readdir(root)).sort(), ['a.md', 'b.md'], 'no journal, temp or backup left');
  });
});
