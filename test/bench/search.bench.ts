/**
 * Catalog search: the inverted index of src/core/catalog/searchIndex.ts against the obvious
 * alternative, a linear scan that lowercases every entry and checks `includes` for each word, on
 * a synthetic catalog of 5,000 templates (the format's maximum).
 *
 *   node --import tsx test/bench/search.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { SearchIndex, type Searchable, type SearchQuery } from '../../src/core/catalog/searchIndex';
import { mulberry32 as random } from '../helpers/random';

const TEMPLATES = 5000;
/** Each measurement runs for this long or this many queries, whichever comes first. */
const BUDGET_MS = 400;
const MAX_QUERIES = 200_000;
const BUILDS = 5;


function syntheticCatalog(count: number): Searchable[] {
  const rnd = random(42);
  const pick = <V>(list: readonly V[]): V => list[Math.floor(rnd() * list.length)]!;
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'dor', 'fen', 'gal', 'hup', 'jin', 'pex', 'qua', 'bri', 'cto'];
  const vocabulary = Array.from({ length: 3000 }, () => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => pick(syllables)).join(''));
  // Zipf-like: a few words are everywhere, most are rare, as in real descriptions.
  const word = () => vocabulary[Math.floor(vocabulary.length * rnd() ** 3)]!;
  const tags = Array.from({ length: 200 }, (_, i) => `tag-${i}`);
  const categories = ['documentation', 'project', 'ci', 'design', 'reference', 'legal', 'release', 'community', 'testing', 'infra', 'data', 'misc'];
  return Array.from({ length: count }, (_, i) => ({
    id: `publisher${i % 40}.template-${i}`,
    name: Array.from({ length: 2 + Math.floor(rnd() * 3) }, word).join(' '),
    description: Array.from({ length: 15 + Math.floor(rnd() * 25) }, word).join(' ') + '.',
    tags: Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(tags)),
    category: pick(categories),
    downloads: Math.floor(rnd() * 100_000),
    updatedAt: new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 1.5e11)).toISOString(),
  }));
}

/** The baseline: look at every entry's text for every query. */
function linearScan(entries: readonly Searchable[], q: SearchQuery): { total: number; hits: Searchable[] } {
  const words = (q.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const matches = entries.filter((e) => {
    if (q.category !== undefined && e.category !== q.category) return false;
    if (q.tags && !q.tags.every((t) => e.tags.includes(t))) return false;
    const text = `${e.id} ${e.name} ${e.description} ${e.tags.join(' ')}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  matches.sort((a, b) => b.downloads - a.downloads);
  return { total: matches.length, hits: matches.slice(0, q.limit ?? 50) };
}

/** Every word of the names and descriptions, most used first. */
function wordsByUse(entries: readonly Searchable[]): string[] {
  const uses = new Map<string, number>();
  for (const e of entries) for (const w of `${e.name} ${e.description}`.toLowerCase().split(/[^a-z]+/)) if (w) uses.set(w, (uses.get(w) ?? 0) + 1);
  return [...uses].sort((a, b) => b[1] - a[1]).map(([w]) => w);
}

/** Queries per second: `queries` round-robin until the time budget or the query cap is spent. */
function queriesPerSecond(queries: readonly SearchQuery[], search: (q: SearchQuery) => unknown): number {
  for (const q of queries) search(q); // warm-up
  let done = 0;
  let elapsed = 0;
  const start = performance.now();
  while (elapsed < BUDGET_MS && done < MAX_QUERIES) {
    search(queries[done % queries.length]!);
    done++;
    elapsed = performance.now() - start;
  }
  return done / (elapsed / 1000);
}

export async function run(): Promise<void> {
  const catalog = syntheticCatalog(TEMPLATES);

  let index = new SearchIndex(catalog);
  let bestBuild = Infinity;
  for (let i = 0; i < BUILDS; i++) {
    const start = performance.now();
    index = new SearchIndex(catalog);
    bestBuild = Math.min(bestBuild, performance.now() - start);
  }
  console.log(`index build, ${TEMPLATES} templates: ${bestBuild.toFixed(1)} ms (best of ${BUILDS})`);

  // Real words from the catalog, so every kind of query has matches.
  const byUse = wordsByUse(catalog);
  const common = byUse[0]!;
  const second = byUse[1]!;
  const rare = byUse.find((w, i) => i > byUse.length / 2 && w.length > 4) ?? byUse.at(-1)!;
  const kinds: [string, SearchQuery[]][] = [
    ['one common word', [{ query: `${common} ` }, { query: `${second} ` }]],
    ['one rare word', [{ query: `${rare} ` }]],
    ['two words', [{ query: `${common} ${second} ` }]],
    ['type-ahead prefix', [{ query: common.slice(0, 3) }, { query: rare.slice(0, 4) }]],
    ['word + category', [{ query: `${common} `, category: 'documentation' }]],
    ['no words, tag filter', [{ tags: ['tag-7'] }]],
  ];

  console.log('query kind             indexed q/s   linear scan q/s   speed-up   matches');
  let indexedAll = 0;
  let naiveAll = 0;
  for (const [kind, queries] of kinds) {
    const indexed = queriesPerSecond(queries, (q) => index.search(q));
    const naive = queriesPerSecond(queries, (q) => linearScan(catalog, q));
    indexedAll += 1 / indexed;
    naiveAll += 1 / naive;
    const matches = index.search(queries[0]!).total;
    console.log(
      `${kind.padEnd(22)} ${Math.round(indexed).toLocaleString('en').padStart(11)}   ${Math.round(naive).toLocaleString('en').padStart(15)}   ${(indexed / naive).toFixed(1).padStart(7)}x   ${String(matches).padStart(7)}`,
    );
  }
  // Harmonic mean over the kinds: the rate of a workload with one query of each kind.
  const indexedMean = kinds.length / indexedAll;
  const naiveMean = kinds.length / naiveAll;
  console.log(
    `${'all kinds (mix)'.padEnd(22)} ${Math.round(indexedMean).toLocaleString('en').padStart(11)}   ${Math.round(naiveMean).toLocaleString('en').padStart(15)}   ${(indexedMean / naiveMean).toFixed(1).padStart(7)}x`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
