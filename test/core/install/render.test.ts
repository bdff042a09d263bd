import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnsafePackageError } from '../../../src/core/errors';
import { PLACEHOLDER, scanPlaceholders, utf8, type TemplateManifest } from '../../../src/core/format';
import { MAX_PLACEHOLDERS, MAX_RENDERED_BYTES, renderPackage, renderText } from '../../../src/core/install/installer';
import { mulberry32 } from '../../helpers/random';

function manifest(variables: TemplateManifest['variables']): TemplateManifest {
  return { id: 'demo', name: 'Demo', version: '1.0.0', description: '', category: 'documentation', tags: [], author: 'Ada', targetFolder: '.', variables };
}

describe('scanPlaceholders', () => {
  it('finds exactly what the PLACEHOLDER regular expression finds (differential, seeded)', () => {
    const random = mulberry32(5);
    const pieces = ['{{', '}}', '{', '}', '$', ' ', '\t', '\u00a0', '\u3000', 'a', 'Z', '_', '1', 'name', 'x y', '\n', 'é', '{{ ', ' }}'];
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const expected = [...text.matchAll(PLACEHOLDER)].map((m) => [m[1], m.index, m.index + m[0].length]);
      const found: unknown[] = [];
      scanPlaceholders(text, (name, start, end) => found.push([name, start, end]));
      assert.deepEqual(found, expected, JSON.stringify(text));
    }
  });
});

describe('rendering is bounded', () => {
  it('a template that would render to more than MAX_RENDERED_BYTES is refused before it is built', () => {
    const value = 'x'.repeat(1000);
    const text = '{{a}}'.repeat(Math.ceil(MAX_RENDERED_BYTES / 1000 / 2) + 10);
    const pkg = { manifest: manifest([{ name: 'a', prompt: 'A', default: value }]), files: new Map([['a.txt', utf8.encode(text)], ['b.txt', utf8.encode(text)]]) };
    assert.throws(() => renderPackage(pkg), (err: unknown) => err instanceof UnsafePackageError && /renders to more than 67108864 bytes/.test(err.message));
  });

  it('filling more than MAX_PLACEHOLDERS placeholders is refused; exactly that many is fine', () => {
    const m = manifest([{ name: 'a', prompt: 'A', default: 'x' }]);
    const ok = { manifest: m, files: new Map([['a.txt', utf8.encode('{{a}}'.repeat(MAX_PLACEHOLDERS))]]) };
    assert.equal(utf8.decode(renderPackage(ok).files[0]!.bytes), 'x'.repeat(MAX_PLACEHOLDERS));
    const over = { manifest: m, files: new Map([['a.txt', utf8.encode('{{a}}'.repeat(MAX_PLACEHOLDERS))], ['b.txt', utf8.encode('{{a}}')]]) };
    assert.throws(() => renderPackage(over), /fills more than 100000 placeholders/);
    // Placeholders of undeclared names are not filled, so they do not count.
    const undeclared = { manifest: m, files: new Map([['a.txt', utf8.encode('{{b}}'.repeat(MAX_PLACEHOLDERS + 1))]]) };
    assert.equal(renderPackage(undeclared).files[0]!.bytes.length, 5 * (MAX_PLACEHOLDERS + 1));
  });

  it('renderText without a budget is unchanged: values inserted once, ${{ }} and unknown names kept', () => {
    assert.equal(renderText('${{a}} {{a}} {{ b }} {{c}}', { a: '{{b}}', b: 'B' }), '${{a}} {{b}} B {{c}}');
  });
});
