import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UnsafePackageError } from '../../../src/core/errors';
import { checkEntryPath, collisionKey, readPackage, serializeManifest, utf8 } from '../../../src/core/format';
import { sampleManifest } from '../publish/templateFixture';
import { zipOf } from './zipCraft';

describe('collisionKey: names one file system or another takes for the same file', () => {
  const same: [string, string][] = [
    ['Straße.md', 'STRASSE.md'], // ß upper-cases to SS (full case folding; toLowerCase alone misses it)
    ['straße.md', 'strasse.md'],
    ['ẞ.txt', 'ss.txt'], // capital sharp s
    ['ﬁle.txt', 'FILE.txt'], // the "fi" ligature
    ['\u212Aelvin', 'kelvin'], // Kelvin sign K
    ['caf\u00e9.md', 'cafe\u0301.md'], // NFC and NFD
    ['CAF\u00c9.md', 'cafe\u0301.md'],
    ['ſ.md', 'S.md'], // long s
    ['ı.md', 'I.md'], // dotless i (NTFS upper-cases it to I)
    ['σς', 'ΣΣ'], // final sigma
    ['a\u200bb.txt', 'ab.txt'], // zero-width space, ignored by HFS+
    ['Ａ.txt', 'a.txt'], // fullwidth letter
    ['README.md', 'readme.MD'],
  ];
  for (const [a, b] of same) {
    test(`${JSON.stringify(a)} and ${JSON.stringify(b)} collide`, () => assert.equal(collisionKey(a), collisionKey(b)));
  }
  const different: [string, string][] = [
    ['a.txt', 'b.txt'],
    ['readme.md', 'readme.mdx'],
    ['strasse.md', 'strase.md'],
    ['é.md', 'e.md'],
    ['docs/a', 'docs-a'],
  ];
  for (const [a, b] of different) {
    test(`${JSON.stringify(a)} and ${JSON.stringify(b)} do not collide`, () => assert.notEqual(collisionKey(a), collisionKey(b)));
  }

  test('a package with two such entries is refused', () => {
    const manifest = serializeManifest(sampleManifest());
    for (const [a, b] of same) {
      const bytes = zipOf([['template.json', manifest], [`files/${a}`, utf8.encode('1')], [`files/${b}`, utf8.encode('2')]]);
      assert.throws(() => readPackage(bytes), (err: unknown) => err instanceof UnsafePackageError && /same name/.test(err.message), `${a} / ${b}`);
    }
    // A folder and a file can collide too: "Docs/" and "docs/x".
    const bytes = zipOf([['template.json', manifest], ['files/Docs/', new Uint8Array(0)], ['files/docs', utf8.encode('x')]]);
    assert.throws(() => readPackage(bytes), /same name/);
  });
});

describe('checkEntryPath: names unsafe on some platform are refused everywhere', () => {
  const reserved = [
    'CON', 'con', 'Con.txt', 'PRN', 'AUX', 'aux.tar.gz', 'NUL', 'nul.md', 'NUL .txt', 'nul  .txt',
    'COM0', 'COM1', 'com9.log', 'COM¹', 'com².txt', 'COM³', 'LPT0', 'lpt5', 'LPT¹', 'lpt³.md', 'CONIN$', 'conout$', 'CONOUT$.txt',
  ];
  for (const name of reserved) {
    test(`${JSON.stringify(name)} is a reserved Windows name, at any depth`, () => {
      assert.match(checkEntryPath(name) ?? '', /reserved file name on Windows/);
      assert.match(checkEntryPath(`docs/${name}/x.md`) ?? '', /reserved file name on Windows/);
    });
  }
  for (const name of ['console.md', 'CONFIG', 'com10', 'lpt', 'auxiliary.txt', 'nullable.ts', 'prnt', 'COM', 'conin', 'CON-tributing.md']) {
    test(`${JSON.stringify(name)} is not reserved`, () => assert.equal(checkEntryPath(name), undefined));
  }

  test('trailing dots and spaces are refused (Windows drops them)', () => {
    for (const name of ['a.', 'a ', 'a. ', 'docs./x', '...']) assert.match(checkEntryPath(name) ?? '', /ends with a space or dot/, name);
  });

  const vcs = [
    '.git/config', '.git/hooks/pre-commit', 'sub/dir/.git/config', '.GIT/config', '.Git/HEAD', '.git',
    '.hg/hgrc', '.HG/hgrc', '.svn/entries', '.bzr/branch.conf', '_darcs/prefs', 'CVS/Root', 'cvs/Root', '.jj/repo/store', '.pijul/config',
    '.sl/config', '.fslckout', '_FOSSIL_',
    '.g\u200cit/config', // a zero-width non-joiner, ignored by HFS+ (CVE-2014-9390)
    '.gi\u200dt/hooks/post-checkout',
    '.\u0261it/config'.replace('\u0261', 'g'),
  ];
  for (const path of vcs) {
    test(`${JSON.stringify(path)} writes version control metadata and is refused`, () => {
      assert.match(checkEntryPath(path) ?? '', /version control metadata/);
    });
  }
  test('NTFS short names that can stand for .git are refused', () => {
    for (const path of ['GIT~1/config', 'git~1/hooks/x', 'GI7EBA~1/config', 'PROGRA~2.TXT']) {
      assert.match(checkEntryPath(path) ?? '', /short \(8\.3\) name/, path);
    }
    for (const path of ['notes~draft.md', 'a~b', 'backup~.txt', 'my~draft~1.md']) assert.equal(checkEntryPath(path), undefined, path);
  });
  for (const path of ['.gitignore', '.gitattributes', '.github/workflows/ci.yml', '.gitmodules', 'git/x.md', 'cvs.md', 'docs/.hgignore', '.jjconfig.toml']) {
    test(`${JSON.stringify(path)} is allowed`, () => assert.equal(checkEntryPath(path), undefined));
  }

  test('the installer\'s own journal, temp and backup names are refused (a template could plant a fake journal)', () => {
    for (const path of ['.template-install-1-0123456789ab.json', 'docs/.template-0123456789ab.bak', '.TEMPLATE-0123456789AB.TMP', '.template-install-x']) {
      assert.match(checkEntryPath(path) ?? '', /installer reserves/, path);
    }
    for (const path of ['.template.json', 'template-install.md', '.templates/x.md']) assert.equal(checkEntryPath(path), undefined, path);
  });

  test('the install record (.template-marketplace.json) is never a template file, in any folder or case', () => {
    for (const path of ['.template-marketplace.json', 'docs/.template-marketplace.json', '.TEMPLATE-MARKETPLACE.JSON', '.template-marketplace.json/x.md']) {
      assert.match(checkEntryPath(path) ?? '', /install record/, path);
    }
    for (const path of ['template-marketplace.json', '.template-marketplace.json.md', '.template-marketplace.jsonc']) assert.equal(checkEntryPath(path), undefined, path);
  });

  test('text-direction controls are refused', () => {
    for (const path of ['evil\u202etxt.exe', 'a\u2066b', 'x\u200f.md']) assert.match(checkEntryPath(path) ?? '', /text-direction control/, JSON.stringify(path));
  });

  test('a package entry below .git is refused, whatever its case', () => {
    const bytes = zipOf([['template.json', serializeManifest(sampleManifest())], ['files/.GIT/hooks/pre-commit', utf8.encode('#!/bin/sh\n')]]);
    assert.throws(() => readPackage(bytes), (err: unknown) => err instanceof UnsafePackageError && /version control metadata/.test(err.message));
  });
});
