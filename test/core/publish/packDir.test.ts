import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FormatError, NotFoundError, UnsafePackageError } from '../../../src/core/errors';
import { LIMITS, readPackage, utf8 } from '../../../src/core/format';
import { packTemplateDir } from '../../../src/core/publish';
import { sampleManifest, SAMPLE_FILES, writeTemplateDir } from './templateFixture';

let tmp: string;
let n = 0;
/** A fresh folder per case, so the cases cannot see each other's files. */
const fresh = () => join(tmp, `t${++n}`);

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pack-dir-'));
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Asserts a rejection of `errorClass` whose message contains every fragment. */
async function rejects(promise: Promise<unknown>, errorClass: new (...args: never[]) => Error, ...fragments: string[]) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof errorClass, `expected ${errorClass.name}, got ${String(err)}`);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention ${f}`);
    return true;
  });
}

test('packs template.json and every file below files/, and readPackage gets them back', async () => {
  const dir = await writeTemplateDir(fresh());
  const { manifest, bytes } = await packTemplateDir(dir);
  assert.equal(manifest.id, 'acme.readme');
  const pkg = readPackage(bytes);
  assert.deepEqual(pkg.manifest, sampleManifest());
  assert.deepEqual(new Set(pkg.files.keys()), new Set(Object.keys(SAMPLE_FILES)));
  assert.equal(utf8.decode(pkg.files.get('README.md')!), SAMPLE_FILES['README.md']);
});

test('the same folder gives the same bytes, wherever it is', async () => {
  const dir = await writeTemplateDir(fresh());
  const copy = fresh();
  await cp(dir, copy, { recursive: true });
  const [a, b, c] = await Promise.all([packTemplateDir(dir), packTemplateDir(dir), packTemplateDir(copy)]);
  assert.deepEqual(a.bytes, b.bytes);
  assert.deepEqual(a.bytes, c.bytes);
});

test('a bad template.json names the file and the field', async () => {
  const dir = await writeTemplateDir(fresh(), { ...sampleManifest(), version: 'one' });
  await assert.rejects(packTemplateDir(dir), (err: unknown) => {
    assert.ok(err instanceof FormatError);
    assert.equal(err.file, join(dir, 'template.json'));
    assert.equal(err.field, 'version');
    assert.match(err.message, /template\.json: version: expected a semantic version like 1\.2\.0, got "one"/);
    return true;
  });
  await rejects(packTemplateDir(await writeTemplateDir(fresh(), '{ "id": ')), FormatError, 'template.json', 'not valid UTF-8 JSON');
});

test('a missing template.json or files/ folder is named', async () => {
  const noManifest = fresh();
  await mkdir(join(noManifest, 'files'), { recursive: true });
  await rejects(packTemplateDir(noManifest), NotFoundError, join(noManifest, 'template.json'));
  const noFiles = await writeTemplateDir(fresh(), sampleManifest(), {});
  await rejects(packTemplateDir(noFiles), NotFoundError, join(noFiles, 'files'));
  await mkdir(join(noFiles, 'files', 'empty'), { recursive: true });
  await rejects(packTemplateDir(noFiles), FormatError, 'has no files');
});

test('an undeclared {{placeholder}} is refused, naming the file and the placeholder', async () => {
  const inText = await writeTemplateDir(fresh(), sampleManifest(), { 'README.md': 'Hello {{projectName}} by {{ autor }}\n' });
  await rejects(packTemplateDir(inText), FormatError, join(inText, 'files', 'README.md'), '{{ autor }}', 'declared: projectName');

  const inName = await writeTemplateDir(fresh(), sampleManifest(), { '{{projectNam}}.md': 'x' });
  await rejects(packTemplateDir(inName), FormatError, '{{projectNam}}.md (file name)', '{{projectNam}}');

  const inTarget = await writeTemplateDir(fresh(), sampleManifest({ targetFolder: 'docs/{{folder}}' }), { 'a.md': 'x' });
  await rejects(packTemplateDir(inTarget), FormatError, 'template.json: targetFolder', '{{folder}}');

  const none = await writeTemplateDir(fresh(), sampleManifest({ variables: [] }), { 'a.md': '{{x}}' });
  await rejects(packTemplateDir(none), FormatError, '{{x}}', 'no variables are declared');
});

test('GitHub Actions ${{ … }}, binary files and non-identifiers are not placeholders', async () => {
  const binary = new Uint8Array([0x7b, 0x7b, 0x78, 0x7d, 0x7d, 0x00, 0xff]); // "{{x}}", NUL, invalid UTF-8
  const dir = await writeTemplateDir(fresh(), sampleManifest(), {
    'ci.yml': 'token: ${{ github.token }}\nsecret: ${{ secrets }}\nname: ${{name}}\n',
    'logo.bin': binary,
    'notes.md': 'Handlebars {{#each items}} and {{> partial}} stay as written; so does {{ a.b }}.\n',
  });
  const pkg = readPackage((await packTemplateDir(dir)).bytes);
  assert.deepEqual(pkg.files.get('logo.bin'), binary);
  assert.equal(pkg.files.size, 3);
});

test('symbolic links and special files are refused, naming them', async () => {
  const withLink = await writeTemplateDir(fresh());
  await writeFile(join(tmp, 'outside.txt'), 'secret');
  await symlink(join(tmp, 'outside.txt'), join(withLink, 'files', 'docs', 'link.md'));
  await rejects(packTemplateDir(withLink), UnsafePackageError, join(withLink, 'files', 'docs', 'link.md'), 'symbolic link');

  const withDirLink = await writeTemplateDir(fresh());
  await symlink(tmp, join(withDirLink, 'files', 'up'));
  await rejects(packTemplateDir(withDirLink), UnsafePackageError, join(withDirLink, 'files', 'up'), 'symbolic link');

  const filesLink = await writeTemplateDir(fresh(), sampleManifest(), {});
  await symlink(join(withLink, 'files'), join(filesLink, 'files'));
  await rejects(packTemplateDir(filesLink), UnsafePackageError, join(filesLink, 'files'), 'symbolic link');

  const manifestLink = fresh();
  await writeTemplateDir(manifestLink);
  const realManifest = join(tmp, `manifest-${n}.json`);
  await cp(join(manifestLink, 'template.json'), realManifest);
  await rm(join(manifestLink, 'template.json'));
  await symlink(realManifest, join(manifestLink, 'template.json'));
  await rejects(packTemplateDir(manifestLink), UnsafePackageError, join(manifestLink, 'template.json'), 'symbolic link');

  // A Unix socket is a special file that node can create without extra tools.
  const withSocket = await writeTemplateDir(fresh());
  const socketPath = join(withSocket, 'files', 's.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    await rejects(packTemplateDir(withSocket), UnsafePackageError, socketPath, 'not a regular file');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('unsafe names, case collisions and the entry limit are refused', async () => {
  const reserved = await writeTemplateDir(fresh(), sampleManifest(), { 'docs/con.md': 'x' });
  await rejects(packTemplateDir(reserved), UnsafePackageError, join(reserved, 'files', 'docs', 'con.md'), 'reserved file name on Windows');

  const colon = await writeTemplateDir(fresh(), sampleManifest(), { 'a:b.md': 'x' });
  await rejects(packTemplateDir(colon), UnsafePackageError, 'a:b.md', '":"');

  const caseTwins = await writeTemplateDir(fresh(), sampleManifest(), { 'Readme.md': 'a', 'README.md': 'b' });
  await rejects(packTemplateDir(caseTwins), UnsafePackageError, 'same name ignoring case');

  // Folders are not package entries: the limit counts template.json and the files.
  const limit = Object.fromEntries(Array.from({ length: LIMITS.maxFiles - 1 }, (_, i) => [`d${i % 8}/f${i}.txt`, '']));
  const atLimit = await writeTemplateDir(fresh(), sampleManifest(), limit);
  assert.equal(readPackage((await packTemplateDir(atLimit)).bytes).files.size, LIMITS.maxFiles - 1);
  await writeFile(join(atLimit, 'files', 'd0', 'one-too-many.txt'), '');
  await rejects(packTemplateDir(atLimit), UnsafePackageError, `at most ${LIMITS.maxFiles} entries`);
});

test('a file above the unpacked size limit is refused before it is read', async () => {
  const dir = await writeTemplateDir(fresh(), sampleManifest(), { 'small.txt': 'x' });
  const big = join(dir, 'files', 'big.bin');
  await writeFile(big, '');
  await truncate(big, LIMITS.maxUnpackedBytes + 1); // sparse: no disk space used
  await rejects(packTemplateDir(dir), UnsafePackageError, big, 'too large', `${LIMITS.maxUnpackedBytes} bytes`);
});
