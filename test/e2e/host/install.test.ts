import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activate, runCommand, workspaceDir } from './support';

interface InstallResult {
  status: 'installed' | 'conflict' | 'cancelled' | 'failed';
  written?: string[];
  skipped?: string[];
  overwritten?: string[];
  conflicts?: string[];
  mainFile?: string;
  code?: string;
}

describe('Install Template (answers as command arguments)', () => {
  const target = () => join(workspaceDir(), 'install-e2e');

  it('writes the template into the workspace with the answers filled in', async () => {
    await activate();
    mkdirSync(target(), { recursive: true });
    const r = await runCommand<InstallResult>('installTemplate', { ref: 'samples/readme', targetDir: target(), variables: { projectName: 'acme-widgets' }, open: false });
    assert.equal(r.status, 'installed', JSON.stringify(r));
    assert.deepEqual(r.written, ['README.md']);
    assert.match(readFileSync(join(target(), 'README.md'), 'utf8'), /acme-widgets/);
  });

  it('refuses a conflict without consent and writes nothing', async () => {
    const readme = join(target(), 'README.md');
    writeFileSync(readme, 'my own README\n');
    const r = await runCommand<InstallResult>('installTemplate', { ref: 'samples/readme', targetDir: target(), variables: { projectName: 'other' }, open: false });
    assert.equal(r.status, 'conflict', JSON.stringify(r));
    assert.deepEqual(r.conflicts, ['README.md']);
    assert.equal(readFileSync(readme, 'utf8'), 'my own README\n', 'the existing file is untouched');
  });

  it('skips or overwrites existing files only when asked to', async () => {
    const readme = join(target(), 'README.md');
    const skipped = await runCommand<InstallResult>('installTemplate', { ref: 'samples/readme', targetDir: target(), onConflict: 'skip', open: false });
    assert.deepEqual([skipped.status, skipped.skipped, skipped.written], ['installed', ['README.md'], []]);
    assert.equal(readFileSync(readme, 'utf8'), 'my own README\n');
    const replaced = await runCommand<InstallResult>('installTemplate', { ref: 'samples/readme', targetDir: target(), variables: { projectName: 'replaced' }, onConflict: 'overwrite', open: false });
    assert.deepEqual(replaced.overwritten, ['README.md']);
    assert.match(readFileSync(readme, 'utf8'), /replaced/);
  });

  it('refuses an answer that breaks the pattern, naming the variable, and writes nothing', async () => {
    const dir = join(workspaceDir(), 'install-bad-answer');
    mkdirSync(dir, { recursive: true });
    const r = await runCommand<InstallResult & { message?: string }>('installTemplate', { ref: 'samples/readme', targetDir: dir, variables: { license: 'not a licence!' }, open: false });
    assert.equal(r.status, 'failed');
    assert.equal(r.code, 'E_FORMAT');
    assert.match(r.message ?? '', /license/);
    assert.equal(existsSync(join(dir, 'README.md')), false);
  });

  it('installs a batch, one result per template, one failure not sinking the rest', async () => {
    const dir = join(workspaceDir(), 'install-batch');
    mkdirSync(dir, { recursive: true });
    const r = await runCommand<{ installed: { ref: string; written: string[] }[]; failed: { ref: string; code: string }[] }>('installTemplates', {
      refs: ['samples/changelog', 'samples/contributing', 'samples/no-such-template'],
      targetDir: dir,
    });
    assert.deepEqual(r.installed.map((i) => [i.ref, i.written]).sort(), [['samples/changelog', ['CHANGELOG.md']], ['samples/contributing', ['CONTRIBUTING.md']]]);
    assert.deepEqual(r.failed.map((f) => [f.ref, f.code]), [['samples/no-such-template', 'E_NOT_FOUND']]);
    assert.ok(existsSync(join(dir, 'CHANGELOG.md')) && existsSync(join(dir, 'CONTRIBUTING.md')));
  });
});
