import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPackage, writePackage, type TemplateManifest } from '../../../src/core/format';
import { installPackage } from '../../../src/core/install/installer';
import { patchFs } from '../cache/fsFaults';

const utf8 = (text: string) => new TextEncoder().encode(text);

function pkg(files: Record<string, string>) {
  const manifest: TemplateManifest = { id: 'full', name: 'Full', version: '1.0.0', description: '', category: 'documentation', tags: [], author: 'T', targetFolder: '.', variables: [] };
  return readPackage(writePackage(manifest, new Map(Object.entries(files).map(([k, v]) => [k, utf8(v)]))));
}

let sandbox: string;
before(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'tm-install-full-'));
});
after(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

describe('an install on a full or read-only disk', () => {
  for (const code of ['ENOSPC', 'EROFS'] as const) {
    it(`fails with ${code}, honestly, and leaves the folder exactly as it was`, async () => {
      const ws = join(sandbox, code);
      await mkdir(join(ws, 'docs'), { recursive: true });
      await writeFile(join(ws, 'docs', 'a.md'), 'mine');
      const undo = patchFs(ws, code);
      try {
        await assert.rejects(
          installPackage(pkg({ 'docs/a.md': 'theirs', 'docs/b.md': 'b', 'new/c.md': 'c' }), { targetDir: ws, onConflict: 'overwrite' }),
          (err: NodeJS.ErrnoException) => err.code === code,
        );
      } finally {
        undo();
      }
      assert.deepEqual(await readdir(ws, { recursive: true }), ['docs', 'docs/a.md'], 'no temp file, journal or folder is left');
      assert.equal(await readFile(join(ws, 'docs', 'a.md'), 'utf8'), 'mine');
      // With room again, the same install goes through.
      await installPackage(pkg({ 'docs/a.md': 'theirs', 'docs/b.md': 'b', 'new/c.md': 'c' }), { targetDir: ws, onConflict: 'overwrite' });
      assert.equal(await readFile(join(ws, 'docs', 'a.md'), 'utf8'), 'theirs');
    });
  }
});
