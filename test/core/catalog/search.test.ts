import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchIndex, type Searchable } from '../../../src/core/catalog/searchIndex';
import { tokenize } from '../../../src/core/catalog/tokenize';

function entry(id: string, fields: Partial<Searchable> = {}): Searchable {
  return {
    id,
    name: id,
    description: '',
    tags: [],
    category: 'documentation',
    downloads: 0,
    updatedAt: '2024-01-01T00:00:00Z',
    ...fields,
  };
}

const CATALOG: Searchable[] = [
  entry('readme', { name: 'README', description: 'A friendly project readme with badges.', tags: ['docs', 'starter'], downloads: 900, updatedAt: '2024-03-01T00:00:00Z' }),
  entry('contributing', { name: 'CONTRIBUTING guide', description: 'How to contribute: issues, pull requests, code review.', tags: ['docs', 'community'], downloads: 300, updatedAt: '2024-05-01T00:00:00Z' }),
  entry('api-reference', { name: 'API reference', description: 'Reference pages for a REST API.', tags: ['docs', 'api'], category: 'reference', downloads: 500, updatedAt: '2023-12-01T00:00:00Z' }),
  entry('changelog', { name: 'Changelog', description: 'Keep a changelog; mentions the API once.', tags: ['release'], downloads: 700, updatedAt: '2024-02-01T00:00:00Z' }),
  entry('acme.cafe-menu', { name: 'Café menu', description: 'Menu card for a small café.', tags: ['print'], category: 'design', downloads: 10, updatedAt: '2022-01-01T00:00:00Z' }),
  entry('code-of-conduct', { name: 'Code of conduct', description: 'Community standards for contributors.', tags: ['community'], downloads: 300, updatedAt: '2024-06-01T00:00:00Z' }),
];

const ids = (hits: { entry: Searchable }[]) => hits.map((h) => h.entry.id);

describe('tokenize', () => {
  it('lowercases, splits on non-alphanumerics and folds diacritics', () => {
    assert.deepEqual(tokenize('Café-Menü_v2 (ﬁnal) ÅSTRÖM 日本語'), ['cafe', 'menu', 'v2', 'final', 'astrom', '日本語']);
    assert.deepEqual(tokenize('  --  '), []);
  });
});

describe('SearchIndex', () => {
  const index = new SearchIndex(CATALOG);

  it('ranks a template about a word above one that mentions it', () => {
    const { hits } = index.search({ query: 'api ' });
    assert.deepEqual(ids(hits), ['api-reference', 'changelog']);
    assert.ok(hits[0]!.score > hits[1]!.score);
  });

  it('ranks a name match above a description match, whatever the downloads', () => {
    const idx = new SearchIndex([
      // Same words and lengths, swapped between name and description.
      entry('in-description', { name: 'Meeting notes', description: 'Sprint retrospective', downloads: 10_000 }),
      entry('in-name', { name: 'Sprint retrospective', description: 'Meeting notes', downloads: 1 }),
    ]);
    const { hits } = idx.search({ query: 'retrospective' });
    assert.deepEqual(ids(hits), ['in-name', 'in-description']);
    assert.ok(hits[0]!.score > hits[1]!.score);
  });

  it('completes the last word as a prefix (type-ahead)', () => {
    assert.deepEqual(ids(index.search({ query: 'contri' }).hits), ['contributing', 'code-of-conduct']);
    assert.deepEqual(ids(index.search({ query: 'CONTRIBUTING' }).hits), ['contributing']);
    // A finished word (followed by a space) is not a prefix any more.
    assert.deepEqual(ids(index.search({ query: 'contri ' }).hits), []);
    // Only the last word completes.
    assert.deepEqual(ids(index.search({ query: 'contri guide' }).hits), []);
  });

  it('ranks the typed word above its completions', () => {
    const idx = new SearchIndex([
      entry('a', { name: 'Docs generator', downloads: 1000 }),
      entry('b', { name: 'Doc generator', downloads: 1 }),
    ]);
    assert.deepEqual(ids(idx.search({ query: 'doc' }).hits), ['b', 'a']);
  });

  it('requires every word to match (AND)', () => {
    assert.deepEqual(ids(index.search({ query: 'community contributors' }).hits), ['code-of-conduct']);
    assert.deepEqual(ids(index.search({ query: 'readme changelog' }).hits), []);
  });

  it('also finds words in the id and the tags', () => {
    assert.deepEqual(ids(index.search({ query: 'acme' }).hits), ['acme.cafe-menu']);
    assert.deepEqual(ids(index.search({ query: 'release' }).hits), ['changelog']);
  });

  it('matches across diacritics, in both directions', () => {
    assert.deepEqual(ids(index.search({ query: 'cafe' }).hits), ['acme.cafe-menu']);
    const idx = new SearchIndex([entry('x', { name: 'Resume template' })]);
    assert.deepEqual(ids(idx.search({ query: 'Résumé' }).hits), ['x']);
  });

  it('breaks ties in relevance by downloads', () => {
    const idx = new SearchIndex([
      entry('low', { name: 'Report', downloads: 5 }),
      entry('high', { name: 'Report', downloads: 50 }),
      entry('mid', { name: 'Report', downloads: 20 }),
    ]);
    const { hits } = idx.search({ query: 'report' });
    assert.deepEqual(ids(hits), ['high', 'mid', 'low']);
    assert.equal(hits[0]!.score, hits[2]!.score);
  });

  it('filters by category and by tags (all must match)', () => {
    assert.deepEqual(ids(index.search({ category: 'reference' }).hits), ['api-reference']);
    assert.deepEqual(ids(index.search({ tags: ['docs'] }).hits), ['readme', 'api-reference', 'contributing']);
    assert.deepEqual(ids(index.search({ tags: ['docs', 'community'] }).hits), ['contributing']);
    assert.deepEqual(ids(index.search({ query: 'api', category: 'documentation' }).hits), ['changelog']);
    assert.deepEqual(ids(index.search({ query: 'guide', tags: ['community'] }).hits), ['contributing']);
    assert.deepEqual(index.search({ category: 'nope' }), { total: 0, hits: [] });
    assert.deepEqual(index.search({ tags: ['docs', 'nope'] }), { total: 0, hits: [] });
  });

  it('sorts by downloads by default without a query, then by name', () => {
    assert.deepEqual(ids(index.search({}).hits), ['readme', 'changelog', 'api-reference', 'code-of-conduct', 'contributing', 'acme.cafe-menu']);
    assert.deepEqual(ids(index.search({ sort: 'relevance' }).hits), ids(index.search({}).hits));
  });

  it('sorts by last update, newest first', () => {
    assert.deepEqual(ids(index.search({ sort: 'updated' }).hits), ['code-of-conduct', 'contributing', 'readme', 'changelog', 'api-reference', 'acme.cafe-menu']);
  });

  it('sorts by name', () => {
    assert.deepEqual(ids(index.search({ sort: 'name' }).hits), ['api-reference', 'acme.cafe-menu', 'changelog', 'code-of-conduct', 'contributing', 'readme']);
    assert.deepEqual(ids(index.search({ query: 'docs', sort: 'name' }).hits), ['api-reference', 'contributing', 'readme']);
  });

  it('compares names without regard to case or accents', () => {
    const idx = new SearchIndex(['Zeta', 'éclair', 'Alpha', 'beta'].map((name, i) => entry(`n${i}`, { name })));
    assert.deepEqual(idx.search({ sort: 'name' }).hits.map((h) => h.entry.name), ['Alpha', 'beta', 'éclair', 'Zeta']);
  });

  it('pages with limit and offset and reports the total', () => {
    const all = ids(index.search({ sort: 'name' }).hits);
    const page = index.search({ sort: 'name', limit: 2, offset: 2 });
    assert.equal(page.total, 6);
    assert.deepEqual(ids(page.hits), all.slice(2, 4));
    const filtered = index.search({ tags: ['docs'], limit: 1, offset: 1 });
    assert.equal(filtered.total, 3);
    assert.deepEqual(ids(filtered.hits), ['api-reference']);
    const queried = index.search({ query: 'docs', limit: 0 });
    assert.equal(queried.total, 3);
    assert.deepEqual(queried.hits, []);
    assert.deepEqual(index.search({ offset: 100 }), { total: 6, hits: [] });
  });

  it('returns 50 hits by default', () => {
    const many = Array.from({ length: 120 }, (_, i) => entry(`t${i}`, { name: `Template ${i}` }));
    const result = new SearchIndex(many).search({ query: 'template' });
    assert.equal(result.total, 120);
    assert.equal(result.hits.length, 50);
  });

  it('returns nothing for words that do not occur, and everything for a query without words', () => {
    assert.deepEqual(index.search({ query: 'kubernetes' }), { total: 0, hits: [] });
    assert.equal(index.search({ query: ' -- ' }).total, 6);
    assert.deepEqual(new SearchIndex([]).search({ query: 'x' }), { total: 0, hits: [] });
    assert.deepEqual(new SearchIndex([]).search({}), { total: 0, hits: [] });
  });

  it('counts categories and tags, most used first', () => {
    assert.deepEqual(index.categories(), [
      { name: 'documentation', count: 4 },
      { name: 'design', count: 1 },
      { name: 'reference', count: 1 },
    ]);
    assert.deepEqual(index.tags().slice(0, 2), [
      { name: 'docs', count: 3 },
      { name: 'community', count: 2 },
    ]);
    assert.equal(index.size, 6);
  });

  it('is not affected by later changes to the input array or the returned lists', () => {
    const list = [...CATALOG];
    const idx = new SearchIndex(list);
    list.length = 0;
    idx.categories()[0]!.count = 99;
    assert.equal(idx.size, 6);
    assert.equal(idx.categories()[0]!.count, 4);
  });

  it('rejects a bad limit, offset or sort with a typed error', () => {
    assert.throws(() => index.search({ limit: -1 }), { code: 'E_FORMAT' });
    assert.throws(() => index.search({ offset: 1.5 }), { code: 'E_FORMAT' });
    assert.throws(() => index.search({ sort: 'random' as 'name' }), { code: 'E_FORMAT' });
  });
});
