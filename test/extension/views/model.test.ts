import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListedTemplate } from '../../../src/core';
import { SearchIndex } from '../../../src/core/catalog/searchIndex';
import { isFiltered, NO_FILTER, sameFilter, type TreeFilter } from '../../../src/extension/views/filter';
import { catalogKeyOf, describeFilter, searchQueryOf, tagCounts, TreeSnapshot } from '../../../src/extension/views/model';
import { templateRefOf } from '../../../src/extension/views/nodes';
import { present } from '../../../src/extension/views/present';
import { listed, status } from '../fixtures';

const SAMPLES = [
  listed('samples/readme', { name: 'README', downloads: 900, tags: ['docs', 'starter'] }),
  listed('samples/editorconfig', { name: 'EditorConfig', category: 'file', downloads: 800, tags: ['config'] }),
  listed('samples/adr', { name: 'ADR', downloads: 500, tags: ['docs', 'Design'] }),
  listed('samples/kit', { name: 'Kit', category: 'project', downloads: 100, tags: ['starter', 'design'] }),
];
const ACME = [listed('acme/api', { name: 'API', category: 'design', downloads: 50 })];

function snapshot(templates: readonly ListedTemplate[], filter: TreeFilter = NO_FILTER, statuses = [status('samples', { name: 'Samples', templates: 4 }), status('acme', { templates: 1 })]) {
  return new TreeSnapshot({ statuses, templates, filter, sampleSourceId: 'samples' });
}

describe('TreeSnapshot', () => {
  it('groups marketplaces → categories (by name) → templates (in the engine order)', () => {
    const s = snapshot([...SAMPLES, ...ACME]);
    assert.deepEqual(
      s.sources.map((n) => [n.id, n.custom, n.shown]),
      [
        ['source/samples', false, 4],
        ['source/acme', true, 1],
      ],
    );
    const categories = s.childrenOf(s.sources[0]!);
    assert.deepEqual(
      categories.map((c) => c.id),
      ['category/samples/documentation', 'category/samples/file', 'category/samples/project'],
    );
    const docs = categories[0]!;
    assert.equal(docs.kind, 'category');
    if (docs.kind !== 'category') return;
    assert.equal(docs.count, 2);
    const templates = s.templatesOf(docs);
    assert.deepEqual(
      templates.map((t) => t.id),
      ['template/samples/readme', 'template/samples/adr'],
    );
    // Parents chain up for TreeView.reveal; nodes are stable within a snapshot.
    assert.equal(templates[0]!.parent, docs);
    assert.equal(docs.parent, s.sources[0]);
    assert.equal(s.templatesOf(docs)[0], templates[0]);
    assert.equal(s.total, 5);
    assert.equal(s.shown, 5);
    assert.equal(s.filtered, false);
  });

  it('lists the categories shown, in tree order, and keys the catalog versions it shows', () => {
    const s = snapshot([...SAMPLES, ...ACME], NO_FILTER, [status('samples', { templates: 4, version: 3 }), status('acme', { templates: 1 })]);
    assert.deepEqual(
      s.categories().map((c) => c.id),
      ['category/samples/documentation', 'category/samples/file', 'category/samples/project', 'category/acme/design'],
    );
    assert.equal(s.catalogKey, 'samples@3|acme@-');
    assert.equal(catalogKeyOf([status('samples', { version: 4 })]), 'samples@4');
  });

  it('answers children of nodes from an older snapshot by id', () => {
    const old = snapshot(SAMPLES);
    const fresh = snapshot(SAMPLES);
    const oldDocs = old.childrenOf(old.sources[0]!)[0]!;
    assert.equal(oldDocs.kind, 'category');
    if (oldDocs.kind !== 'category') return;
    const templates = fresh.templatesOf(oldDocs);
    assert.equal(templates.length, 2);
    assert.notEqual(templates[0]!.parent, oldDocs);
    assert.equal(templates[0]!.parent.id, oldDocs.id);
    assert.deepEqual(fresh.childrenOf(old.sources[0]!), fresh.childrenOf(fresh.sources[0]!));
  });

  it('finds a template whose category was never expanded, and knows which nodes are shown', () => {
    const s = snapshot(SAMPLES);
    assert.deepEqual(s.materialized(['samples/kit']), []);
    const kit = s.findTemplate('samples/kit');
    assert.equal(kit?.id, 'template/samples/kit');
    assert.equal(kit?.parent.id, 'category/samples/project');
    assert.deepEqual(
      s.materialized(['samples/kit', 'samples/readme', 'samples/unknown']).map((n) => n.ref),
      ['samples/kit'],
    );
    assert.equal(s.findTemplate('samples/unknown'), undefined);
  });

  it('keeps only templates of the picked categories (any of them)', () => {
    const s = snapshot([...SAMPLES, ...ACME], { categories: ['file', 'Project'], tags: [] });
    assert.equal(s.shown, 2);
    assert.equal(s.filtered, true);
    assert.deepEqual(
      s.childrenOf(s.sources[0]!).map((c) => c.id),
      ['category/samples/file', 'category/samples/project'],
    );
    const acme = s.childrenOf(s.sources[1]!);
    assert.deepEqual(
      acme.map((c) => [c.kind, c.kind === 'message' ? c.text : '']),
      [['message', 'No templates match the filter.']],
    );
  });

  it('gives a failing source a message child with the reason, before what it still serves', () => {
    const error = Object.assign(new Error('catalog signature does not verify'), { code: 'E_SIGNATURE' });
    const s = snapshot(SAMPLES, NO_FILTER, [
      status('samples', { templates: 4, state: 'error', error }),
      status('acme', { state: 'offline', error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'E_NETWORK' }) }),
      status('empty'),
    ]);
    const [samples, acme, empty] = s.sources.map((n) => s.childrenOf(n));
    assert.equal(samples![0]!.kind, 'message');
    assert.match((samples![0] as { text: string }).text, /^Refused: a signature does not verify\. catalog signature does not verify$/);
    assert.equal((samples![0] as { severity: string }).severity, 'error');
    assert.equal(samples!.length, 4);
    assert.deepEqual(
      acme!.map((c) => (c.kind === 'message' ? [c.severity, c.text] : c.id)),
      [['warning', 'Could not reach the marketplace: connect ECONNREFUSED']],
    );
    assert.deepEqual(
      empty!.map((c) => (c.kind === 'message' ? c.text : c.id)),
      ['This marketplace lists no templates.'],
    );
  });

  // How fast this is, is measured in test/bench/tree.bench.ts: tests assert behaviour, not time.
  it('expands a 5,000-template catalog: one category node per category, every template presented', () => {
    const many: ListedTemplate[] = [];
    for (let i = 0; i < 5000; i++) {
      many.push(listed(`big/t${i}`, { name: `Template number ${i}`, category: i % 10 === 0 ? 'file' : 'documentation', tags: [`tag${i % 50}`, 'common'], downloads: 5000 - i }));
    }
    const s = snapshot(many, NO_FILTER, [status('big', { templates: 5000 })]);
    const docs = s.childrenOf(s.sources[0]!)[0]!;
    assert.equal(docs.kind, 'category');
    if (docs.kind !== 'category') return;
    const nodes = s.templatesOf(docs);
    const ctx = { now: Date.now(), locale: 'en', sourceCount: 1, verification: () => undefined };
    const labels = nodes.map((node) => present(node, ctx).label);
    assert.equal(nodes.length, 4500);
    assert.equal(new Set(labels).size, 4500);
  });
});

describe('filter and sort', () => {
  it('turns the filter and sort into one engine query for everything that matches', () => {
    assert.deepEqual(searchQueryOf(NO_FILTER, 'downloads'), { sort: 'downloads', limit: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(searchQueryOf(NO_FILTER, 'relevance'), { sort: 'downloads', limit: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(searchQueryOf({ query: ' readme ', categories: ['documentation'], tags: ['docs'] }, 'relevance'), {
      query: 'readme',
      category: 'documentation',
      tags: ['docs'],
      sort: 'relevance',
      limit: Number.MAX_SAFE_INTEGER,
    });
    // Several categories are kept by the snapshot, not by the engine (which takes one).
    assert.equal(searchQueryOf({ categories: ['a', 'b'], tags: [] }, 'name').category, undefined);
  });

  it('agrees with the engine index: the query runs, the snapshot groups', () => {
    const index = new SearchIndex([...SAMPLES, ...ACME]);
    const filter: TreeFilter = { categories: [], tags: ['starter'] };
    const { hits } = index.search(searchQueryOf(filter, 'name'));
    const s = snapshot(
      hits.map((h) => h.entry),
      filter,
    );
    assert.equal(s.shown, 2);
    const refs = s.childrenOf(s.sources[0]!).flatMap((c) => (c.kind === 'category' ? s.templatesOf(c).map((t) => t.ref) : []));
    assert.deepEqual(refs, ['samples/readme', 'samples/kit']);
  });

  it('says whether a filter is active and describes it in one line', () => {
    assert.equal(isFiltered(NO_FILTER), false);
    assert.equal(isFiltered({ query: '  ', categories: [], tags: [] }), false);
    assert.equal(isFiltered({ categories: ['file'], tags: [] }), true);
    assert.equal(describeFilter({ query: 'read\u202Eme', categories: ['documentation', 'file'], tags: ['api', 'docs'] }), '"read me" · Documentation, Files · #api #docs');
  });

  it('compares filters by what they show', () => {
    assert.equal(sameFilter(NO_FILTER, { query: ' ', categories: [], tags: [] }), true);
    assert.equal(sameFilter({ categories: ['File', 'project'], tags: ['a'] }, { categories: ['project', 'file'], tags: ['A', 'a'] }), true);
    assert.equal(sameFilter({ query: 'readme', categories: [], tags: [] }, NO_FILTER), false);
    assert.equal(sameFilter({ categories: ['file'], tags: [] }, { categories: [], tags: ['file'] }), false);
  });

  it('counts tags case-insensitively (first spelling seen), most used first', () => {
    assert.deepEqual(tagCounts([...SAMPLES, ...ACME]), [
      { name: 'Design', count: 2 },
      { name: 'docs', count: 2 },
      { name: 'starter', count: 2 },
      { name: 'config', count: 1 },
    ]);
  });
});

describe('templateRefOf', () => {
  it('reads a template node, an entry with a ref, or a ref string', () => {
    const s = snapshot(SAMPLES);
    assert.equal(templateRefOf(s.findTemplate('samples/adr')), 'samples/adr');
    assert.equal(templateRefOf(listed('acme/api')), 'acme/api');
    assert.equal(templateRefOf(' samples/readme '), 'samples/readme');
    assert.equal(templateRefOf(s.sources[0]), undefined);
    assert.equal(templateRefOf(undefined), undefined);
    assert.equal(templateRefOf({}), undefined);
  });
});
