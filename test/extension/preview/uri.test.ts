import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPreviewRef, parsePreviewQuery, previewLocation, PREVIEW_SCHEME } from '../../../src/extension/preview/uri';

describe('preview addresses', () => {
  it('name the summary after the template, as Markdown', () => {
    const loc = previewLocation({ ref: 'samples/adr', version: '1.0.0' });
    assert.equal(loc.scheme, PREVIEW_SCHEME);
    assert.equal(loc.path, '/samples/adr (preview).md');
    assert.deepEqual(parsePreviewQuery(loc.query), { ref: 'samples/adr', version: '1.0.0' });
  });

  it('put each file under the template, so the tab shows its name and the editor its language', () => {
    const loc = previewLocation({ ref: 'acme/api.ref', version: '2.0.0-beta.1', file: 'docs/api/{{name}} & co?.yaml' });
    assert.equal(loc.path, '/acme/api.ref/docs/api/{{name}} & co?.yaml');
    assert.deepEqual(parsePreviewQuery(loc.query), { ref: 'acme/api.ref', version: '2.0.0-beta.1', file: 'docs/api/{{name}} & co?.yaml' });
  });

  it('round-trip through the query whatever the characters', () => {
    for (const file of ['a b/c%20d.md', 'x#y.txt', 'ü/日本.md', '.github/ISSUE_TEMPLATE/bug.yml', 'a=b&c=d']) {
      assert.equal(parsePreviewQuery(previewLocation({ ref: 's/t', version: '1', file }).query)?.file, file);
    }
  });

  it('refuse anything that is not ours', () => {
    assert.equal(parsePreviewQuery(''), undefined);
    assert.equal(parsePreviewQuery('ref=samples&version=1'), undefined);
    assert.equal(parsePreviewQuery('ref=a/b/c&version=1'), undefined);
    assert.equal(parsePreviewQuery('ref=a/b'), undefined);
    assert.equal(parsePreviewQuery('ref=a/b&version=1&file='), undefined);
    assert.equal(parsePreviewQuery(`ref=a/b&version=${'9'.repeat(65)}`), undefined);
    assert.throws(() => previewLocation({ ref: 'no-slash', version: '1' }));
    assert.equal(isPreviewRef('a/b'), true);
    assert.equal(isPreviewRef('a /b'), false);
  });
});
