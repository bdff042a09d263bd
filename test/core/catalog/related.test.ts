import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mostRelated, relatedness, type RelatedCandidate } from '../../../src/core/catalog/related';

const t = (ref: string, category: string, tags: string[], downloads = 0): RelatedCandidate => ({ ref, category, tags, downloads });

const readme = t('m/readme', 'documentation', ['markdown', 'docs'], 900);
const catalog = [
  readme,
  t('m/changelog', 'documentation', ['Markdown', 'release'], 500),
  t('m/contributing', 'documentation', ['community', 'docs'], 700),
  t('m/license', 'documentation', ['legal'], 100),
  t('m/docs-site', 'website', ['markdown', 'docs'], 10),
  t('m/dockerfile', 'devops', ['docker'], 800),
];

test('relatedness: two points per shared tag (any case, each counted once), one for the same category', () => {
  assert.equal(relatedness(readme, catalog[1]!), 3);
  assert.equal(relatedness(readme, t('x', 'DOCUMENTATION', ['docs', 'docs', 'MARKDOWN'])), 5);
  assert.equal(relatedness(readme, catalog[3]!), 1);
  assert.equal(relatedness(readme, catalog[5]!), 0);
});

test('mostRelated ranks by score, then downloads, then ref; never the template itself or an unrelated one', () => {
  assert.deepEqual(
    mostRelated(catalog, readme, 10).map((e) => e.ref),
    ['m/docs-site', 'm/contributing', 'm/changelog', 'm/license'],
  );
  assert.deepEqual(
    mostRelated(catalog, readme, 2).map((e) => e.ref),
    ['m/docs-site', 'm/contributing'],
  );
  assert.deepEqual(mostRelated(catalog, readme, 0), []);
  assert.deepEqual(mostRelated(catalog, catalog[5]!, 3), [], 'nothing shares a tag or the category with it');
  const twins = [t('m/b', 'c', ['x'], 5), t('m/a', 'c', ['x'], 5), t('m/c', 'c', ['x'], 5)];
  assert.deepEqual(
    mostRelated(twins, t('m/z', 'c', ['x']), 2).map((e) => e.ref),
    ['m/a', 'm/b'],
    'equal scores and downloads: by ref, so the answer never depends on catalog order',
  );
});

test('mostRelated keeps the best `limit` of a large catalog, whatever their order', () => {
  const many = Array.from({ length: 1000 }, (_, i) => t(`m/t${i}`, i % 2 ? 'a' : 'b', i % 7 === 0 ? ['hot'] : ['cold'], i));
  const to = t('m/probe', 'a', ['hot']);
  const best = mostRelated([...many].reverse(), to, 3).map((e) => e.ref);
  // Odd multiples of 7 have the tag and the category (3 points); the most downloaded of them come first.
  assert.deepEqual(best, ['m/t987', 'm/t973', 'm/t959']);
});
