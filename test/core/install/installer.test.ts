import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readPackage, writePackage, type TemplateManifest, type TemplatePackage } from '../../../src/core/format';
import { installPackage, planInstall, renderPackage } from '../../../src/core/install/installer';

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A real package: written to zip bytes and read back, as the engine would get it. */
function makePackage(files: Record<string, string | Uint8Array>, manifest: Partial<TemplateManifest> = {}): TemplatePackage {
  const full: TemplateManifest = {
    id: 'demo',
    name: 'Demo',
    version: '1.0.0',
    description: 'A demo template.',
    category: 'documentation',
    tags: [],
    author: 'Ada',
    targetFolder: '.',
    variables: [
      { name: 'project', prompt: 'Project name', pattern: '[A-Za-z0-9./-]+' },
      { name: 'owner', prompt: 'Owner', default: 'nobody' },
    ],
    ...manifest,
  };
  const map = new Map(Object.entries(files).map(([path, content]): [string, Uint8Array] => [path, typeof content === 'string' ? utf8(content) : content]));
  return readPackage(writePackage(full, map));
}

/** Every path below `dir` (hidden ones too), with a trailing "/" for folders and "@" for links. */
async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const rel = prefix + name;
    const stats = await lstat(join(dir, name));
    if (stats.isSymbolicLink()) out.push(`${rel}@`);
    else if (stats.isDirectory()) out.push(`${rel}/`, ...(await tree(join(dir, name), `${rel}/`)));
    else out.push(rel);
  }
  return out;
}

const text = async (path: string) => readFile(path, 'utf8');

describe('installPackage', () => {
  let sandbox: string;
  let workspace: string;
  beforeEach(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'tm-install-'));
    workspace = join(sandbox, 'workspace');
    await mkdir(workspace);
  });
  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('writes the files with variables filled in content and paths, defaults applied', async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, ...utf8('{{project}}'), 0xff, 0xfe]);
    const pkg = makePackage(
      {
        'README.md': '# {{project}}\nMaintained by {{ owner }}.\n',
        'src/{{project}}.txt': 'name={{project}}',
        'logo.png': binary,
        '.github/workflows/ci.yml': 'run: echo ${{ github.ref }} ${{ project }} {{project}} {{undeclared}}\n',
      },
      { targetFolder: 'docs/{{project}}' },
    );
    const result = await installPackage(pkg, { targetDir: workspace, variables: { project: 'rocket' } });
    assert.equal(result.targetFolder, join(workspace, 'docs', 'rocket'));
    assert.deepEqual(result.written, ['docs/rocket/.github/workflows/ci.yml', 'docs/rocket/README.md', 'docs/rocket/logo.png', 'docs/rocket/src/rocket.txt']);
    assert.deepEqual(result.skipped, []);
    assert.deepEqual(result.overwritten, []);
    const base = join(workspace, 'docs', 'rocket');
    assert.equal(await text(join(base, 'README.md')), '# rocket\nMaintained by nobody.\n');
    assert.equal(await text(join(base, 'src', 'rocket.txt')), 'name=rocket');
    assert.deepEqual(new Uint8Array(await readFile(join(base, 'logo.png'))), binary, 'binary files are copied byte for byte');
    assert.equal(await text(join(base, '.github', 'workflows', 'ci.yml')), 'run: echo ${{ github.ref }} ${{ project }} rocket {{undeclared}}\n');
    assert.deepEqual(await tree(workspace), [
      'docs/', 'docs/rocket/', 'docs/rocket/.github/', 'docs/rocket/.github/workflows/', 'docs/rocket/.github/workflows/ci.yml',
      'docs/rocket/README.md', 'docs/rocket/logo.png', 'docs/rocket/src/', 'docs/rocket/src/rocket.txt',
    ], 'no temp files are left behind');
  });

  it('keeps a byte order mark and leaves invalid UTF-8 alone', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Hello {{project}}')]);
    const latin1 = new Uint8Array([...utf8('{{project}} caf'), 0xe9]);
    await installPackage(makePackage({ 'bom.txt': bom, 'latin1.txt': latin1 }), { targetDir: workspace, variables: { project: 'x' } });
    assert.deepEqual(new Uint8Array(await readFile(join(workspace, 'bom.txt'))), new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Hello x')]));
    assert.deepEqual(new Uint8Array(await readFile(join(workspace, 'latin1.txt'))), latin1);
  });

  it('refuses a value that breaks the pattern, naming the variable, and writes nothing', async () => {
    const pkg = makePackage({ 'a.txt': '{{project}}' });
    await assert.rejects(installPackage(pkg, { targetDir: workspace, variables: { project: 'two words' } }), {
      code: 'E_FORMAT',
      field: 'project',
      message: /"project" \(Project name\), pattern \[A-Za-z0-9\.\/-\]\+: "two words" does not match/,
    });
    await assert.rejects(installPackage(pkg, { targetDir: workspace }), { code: 'E_FORMAT', message: /"project".*no value was given/ });
    assert.deepEqual(await tree(workspace), []);
  });

  it('with onConflict "fail" (the default) lists every existing file and writes nothing', async () => {
    await writeFile(join(workspace, 'README.md'), 'mine');
    await mkdir(join(workspace, 'src'));
    await writeFile(join(workspace, 'src', 'x.txt'), 'mine too');
    const pkg = makePackage({ 'README.md': 'theirs', 'LICENSE': 'theirs', 'src/{{project}}.txt': 'theirs' });
    await assert.rejects(installPackage(pkg, { targetDir: workspace, variables: { project: 'x' } }), (err: Error & { code?: string; paths?: string[] }) => {
      assert.equal(err.code, 'E_CONFLICT');
      assert.deepEqual(err.paths, ['README.md', 'src/x.txt']);
      assert.match(err.message, /2 files .* README\.md, src\/x\.txt/);
      return true;
    });
    assert.deepEqual(await tree(workspace), ['README.md', 'src/', 'src/x.txt'], 'LICENSE was not written either');
    assert.equal(await text(join(workspace, 'README.md')), 'mine');
  });

  it('with onConflict "skip" keeps existing files and reports them', async () => {
    await writeFile(join(workspace, 'README.md'), 'mine');
    const pkg = makePackage({ 'README.md': 'theirs', 'LICENSE': 'theirs' });
    const result = await installPackage(pkg, { targetDir: workspace, variables: { project: 'x' }, onConflict: 'skip' });
    assert.deepEqual(result, { targetFolder: workspace, written: ['LICENSE'], skipped: ['README.md'], overwritten: [] });
    assert.equal(await text(join(workspace, 'README.md')), 'mine');
    assert.equal(await text(join(workspace, 'LICENSE')), 'theirs');
  });

  it('with onConflict "overwrite" replaces existing files and reports them', async () => {
    await writeFile(join(workspace, 'README.md'), 'mine');
    const pkg = makePackage({ 'README.md': 'theirs {{project}}', 'LICENSE': 'theirs' });
    const result = await installPackage(pkg, { targetDir: workspace, variables: { project: 'x' }, onConflict: 'overwrite' });
    assert.deepEqual(result, { targetFolder: workspace, written: ['LICENSE'], skipped: [], overwritten: ['README.md'] });
    assert.equal(await text(join(workspace, 'README.md')), 'theirs x');
    assert.deepEqual(await tree(workspace), ['LICENSE', 'README.md'], 'no temp or backup files are left behind');
  });

  it('refuses a variable value that walks out of the target folder', async () => {
    const outside = join(sandbox, 'etc');
    const attempts: [TemplatePackage, string][] = [
      [makePackage({ 'passwd': 'x' }, { targetFolder: '{{project}}' }), '../etc'],
      [makePackage({ 'passwd': 'x' }, { targetFolder: 'docs/{{project}}' }), '../../etc'],
      [makePackage({ '{{project}}.txt': 'x' }), '../etc/passwd'],
      [makePackage({ '{{project}}/passwd': 'x' }), 'a/../../etc'],
      [makePackage({ 'x/{{project}}': 'x' }), '/etc/passwd'],
    ];
    for (const [pkg, project] of attempts) {
      await assert.rejects(installPackage(pkg, { targetDir: workspace, variables: { project } }), { code: 'E_UNSAFE_PACKAGE' }, `project=${project}`);
    }
    assert.deepEqual(await tree(sandbox), ['workspace/'], `nothing was written, in particular not in ${outside}`);
  });

  it('refuses to write through a symlinked folder that points outside the workspace', async () => {
    const outside = join(sandbox, 'outside');
    await mkdir(outside);
    await symlink(outside, join(workspace, 'docs'), 'dir');
    const pkg = makePackage({ 'docs/evil.sh': 'rm -rf ~', 'fine.txt': 'ok' });
    for (const onConflict of ['fail', 'skip', 'overwrite'] as const) {
      await assert.rejects(installPackage(pkg, { targetDir: workspace, variables: { project: 'x' }, onConflict }), { code: 'E_UNSAFE_PACKAGE', message: /symbolic link/ });
    }
    assert.deepEqual(await readdir(outside), [], 'nothing was written through the link');
    assert.deepEqual(await tree(workspace), ['docs@'], 'nor beside it');
  });

  it('never writes through or replaces a symlinked file', async () => {
    const outside = join(sandbox, 'secret.txt');
    await writeFile(outside, 'secret');
    await symlink(outside, join(workspace, 'notes.txt'));
    const pkg = makePackage({ 'notes.txt': 'theirs' });
    await assert.rejects(installPackage(pkg, { targetDir: workspace, variables: { project: 'x' } }), { code: 'E_CONFLICT' });
    await assert.rejects(installPackage(pkg, { targetDir: workspace, variables: { project: 'x' }, onConflict: 'overwrite' }), { code: 'E_UNSAFE_PACKAGE' });
    const skipped = await installPackage(pkg, { targetDir: workspace, variables: { project: 'x' }, onConflict: 'skip' });
    assert.deepEqual(skipped.skipped, ['notes.txt']);
    assert.equal(await text(outside), 'secret');
    assert.ok((await lstat(join(workspace, 'notes.txt'))).isSymbolicLink());
  });

  it('accepts a target folder that is itself reached through a symlink', async () => {
    const link = join(sandbox, 'link-to-workspace');
    await symlink(workspace, link, 'dir');
    const result = await installPackage(makePackage({ 'a.txt': 'a' }), { targetDir: link, variables: { project: 'x' } });
    assert.equal(result.targetFolder, link);
    assert.equal(await text(join(workspace, 'a.txt')), 'a');
  });

  it('removes everything it wrote when aborted midway', async () => {
    await writeFile(join(workspace, 'README.md'), 'mine');
    const files: Record<string, string> = { 'README.md': 'theirs' };
    for (let i = 0; i < 10; i++) files[`deep/folder/file${i}.txt`] = `file ${i}`;
    const controller = new AbortController();
    const staged: string[] = [];
    const install = installPackage(makePackage(files), {
      targetDir: workspace,
      variables: { project: 'x' },
      onConflict: 'overwrite',
      signal: controller.signal,
      onProgress: ({ path, done }) => {
        staged.push(path);
        if (done === 4) controller.abort(new Error('user pressed cancel'));
      },
    });
    await assert.rejects(install, (err: Error & { code?: string; cause?: unknown }) => {
      assert.equal(err.code, 'E_ABORTED');
      assert.match(String(err.cause), /user pressed cancel/);
      return true;
    });
    assert.equal(staged.length, 4, 'the install stopped at the next file');
    assert.deepEqual(await tree(workspace), ['README.md'], 'no file, folder or temp file is left');
    assert.equal(await text(join(workspace, 'README.md')), 'mine', 'the file to overwrite is untouched');
  });

  it('does nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(installPackage(makePackage({ 'a.txt': 'a' }), { targetDir: workspace, variables: { project: 'x' }, signal: controller.signal }), { code: 'E_ABORTED' });
    assert.deepEqual(await tree(workspace), []);
  });

  it('rolls back a commit that fails midway, restoring overwritten files', async () => {
    await writeFile(join(workspace, 'a.txt'), 'mine');
    const pkg = makePackage({ 'a.txt': 'theirs', 'b.txt': 'theirs' });
    // Another program creates b.txt after the conflict check: the commit must not clobber it.
    const result = installPackage(pkg, {
      targetDir: workspace,
      variables: { project: 'x' },
      onConflict: 'overwrite',
      onProgress: ({ done, total }) => {
        if (done === total) writeFileSync(join(workspace, 'b.txt'), 'someone else');
      },
    });
    await assert.rejects(result, { code: 'E_CONFLICT', message: /b\.txt was created by someone else/ });
    assert.equal(await text(join(workspace, 'a.txt')), 'mine', 'the overwritten file is restored');
    assert.equal(await text(join(workspace, 'b.txt')), 'someone else', "the other program's file is kept");
    assert.deepEqual(await tree(workspace), ['a.txt', 'b.txt']);
  });

  it('refuses two files that render to the same path, or a file where another needs a folder', async () => {
    const same = makePackage({ '{{project}}.md': '1', 'X.md': '2' });
    await assert.rejects(installPackage(same, { targetDir: workspace, variables: { project: 'x' } }), { code: 'E_UNSAFE_PACKAGE', message: /both render to/ });
    const nested = makePackage({ '{{project}}': '1', 'a/b.txt': '2' });
    await assert.rejects(installPackage(nested, { targetDir: workspace, variables: { project: 'a' } }), { code: 'E_UNSAFE_PACKAGE', message: /needs as a folder/ });
    assert.deepEqual(await tree(workspace), []);
  });

  it('reports an existing file where a folder is needed as a conflict', async () => {
    await writeFile(join(workspace, 'src'), 'a file');
    await assert.rejects(installPackage(makePackage({ 'src/a.txt': 'a' }), { targetDir: workspace, variables: { project: 'x' }, onConflict: 'overwrite' }), { code: 'E_CONFLICT' });
    await mkdir(join(workspace, 'b.txt'));
    await assert.rejects(installPackage(makePackage({ 'b.txt': 'b' }), { targetDir: workspace, variables: { project: 'x' }, onConflict: 'overwrite' }), { code: 'E_CONFLICT' });
  });

  it('creates a missing target folder, and no folder at all when the install fails', async () => {
    const target = join(sandbox, 'missing', 'deeper');
    await assert.rejects(installPackage(makePackage({ 'a.txt': 'a' }), { targetDir: target, variables: { project: 'not valid!' } }), { code: 'E_FORMAT' });
    assert.deepEqual(await tree(sandbox), ['workspace/'], 'a refused install creates nothing');
    // A failure while writing removes the folders it created, parents included.
    const controller = new AbortController();
    const aborted = installPackage(makePackage({ 'a.txt': 'a', 'b/c.txt': 'c' }), {
      targetDir: target,
      variables: { project: 'x' },
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await assert.rejects(aborted, { code: 'E_ABORTED' });
    assert.deepEqual(await tree(sandbox), ['workspace/']);
    const result = await installPackage(makePackage({ 'a.txt': 'a' }), { targetDir: target, variables: { project: 'x' } });
    assert.deepEqual(result.written, ['a.txt']);
    assert.deepEqual(await tree(sandbox), ['missing/', 'missing/deeper/', 'missing/deeper/a.txt', 'workspace/']);
  });

  it('a target below a file is refused', async () => {
    await writeFile(join(sandbox, 'file'), 'x');
    await assert.rejects(installPackage(makePackage({ 'a.txt': 'a' }), { targetDir: join(sandbox, 'file', 'x'), variables: { project: 'x' } }), { code: 'E_NOT_FOUND' });
  });

  it('with "fail", files that already hold exactly the new content are skipped, not conflicts', async () => {
    await writeFile(join(workspace, 'same.txt'), 'same x');
    await writeFile(join(workspace, 'other.txt'), 'mine');
    const pkg = makePackage({ 'same.txt': 'same {{project}}', 'new.txt': 'new', 'other.txt': 'theirs' });
    await assert.rejects(installPackage(pkg, { targetDir: workspace, variables: { project: 'x' } }), (err: Error & { paths?: string[] }) => {
      assert.deepEqual(err.paths, ['other.txt'], 'only the file with other content conflicts');
      return true;
    });
    await rm(join(workspace, 'other.txt'));
    const result = await installPackage(pkg, { targetDir: workspace, variables: { project: 'x' } });
    assert.deepEqual(result, { targetFolder: workspace, written: ['new.txt', 'other.txt'], skipped: ['same.txt'], overwritten: [] });
  });
});

describe('renderPackage and planInstall', () => {
  let workspace: string;
  beforeEach(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'tm-plan-'));
  });
  afterEach(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('renders paths and contents like an install, with defaults, and writes nothing', async () => {
    const pkg = makePackage({ '{{project}}/README.md': '# {{project}} by {{owner}}' }, { targetFolder: 'docs' });
    const rendered = renderPackage(pkg, { project: 'demo' });
    assert.equal(rendered.folder, 'docs');
    assert.deepEqual(rendered.values, { project: 'demo', owner: 'nobody' });
    assert.deepEqual(rendered.files.map((f) => [f.path, new TextDecoder().decode(f.bytes)]), [['docs/demo/README.md', '# demo by nobody']]);
    assert.deepEqual(await readdir(workspace), []);
  });

  it('refuses a value that breaks a pattern, as install does', () => {
    assert.throws(() => renderPackage(makePackage({ 'a.txt': 'a' }), { project: 'has space' }), { code: 'E_FORMAT' });
  });

  it('marks destinations that exist, and the plan matches what install then writes', async () => {
    const pkg = makePackage({ 'a.txt': 'A {{project}}', 'b.txt': 'B' });
    await writeFile(join(workspace, 'b.txt'), 'mine');
    const plan = await planInstall(pkg, workspace, { project: 'x' });
    assert.deepEqual(plan.files.map((f) => [f.path, f.existing]), [['a.txt', 'absent'], ['b.txt', 'file']]);
    const result = await installPackage(pkg, { targetDir: workspace, variables: { project: 'x' }, onConflict: 'skip' });
    assert.deepEqual(result.written, ['a.txt']);
    assert.equal(await text(join(workspace, 'a.txt')), 'A x');
    assert.equal(await text(join(workspace, 'b.txt')), 'mine');
  });
});
