/**
 * The Marketplace tree over a 5,000-template catalog (the format's maximum): what the view does
 * between "the engine answered" and "the rows are on screen", side by side with the engine search
 * it starts from. A pause becomes visible at about 100 ms; the tree's own work must stay far below.
 *
 *   node --import tsx test/bench/tree.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { SearchIndex } from '../../src/core/catalog/searchIndex';
import type { ListedTemplate } from '../../src/core';
import { NO_FILTER } from '../../src/extension/views/filter';
import { TreeSnapshot } from '../../src/extension/views/model';
import { present } from '../../src/extension/views/present';
import { listed, status } from '../extension/fixtures';
import { mulberry32 as random } from '../helpers/random';

const TEMPLATES = 5000;
const ROUNDS = 30;

function catalog(): ListedTemplate[] {
  const rnd = random(7);
  const categories = ['documentation', 'file', 'project', 'ci', 'design', 'legal'];
  return Array.from({ length: TEMPLATES }, (_, i) =>
    listed(`big/t${i}`, {
      name: `Template ${i} ${Math.floor(rnd() * 1e6).toString(36)}`,
      description: `A synthetic template number ${i} for the tree benchmark.`,
      // Skewed, like real catalogs: one big category holds most templates.
      category: rnd() < 0.7 ? 'documentation' : categories[1 + Math.floor(rnd() * 5)]!,
      tags: [`tag${i % 80}`, 'common'],
      downloads: Math.floor(rnd() * 100_000),
      updatedAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(rnd() * 6e10)).toISOString(),
    }),
  );
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<void> {
  const templates = catalog();
  const index = new SearchIndex(templates);
  const statuses = [status('big', { templates: TEMPLATES })];
  const ctx = { now: Date.now(), locale: 'en', sourceCount: 1, verification: () => undefined };
  const search: number[] = [];
  const build: number[] = [];
  const expand: number[] = [];
  let rows = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    const { hits } = index.search({ sort: 'downloads', limit: Number.MAX_SAFE_INTEGER });
    search.push(performance.now() - t);

    t = performance.now();
    const snapshot = new TreeSnapshot({ statuses, templates: hits.map((h) => h.entry), filter: NO_FILTER, sampleSourceId: 'samples' });
    const categories = snapshot.childrenOf(snapshot.sources[0]!);
    for (const c of categories) present(c, ctx);
    build.push(performance.now() - t);

    // Expanding the biggest category: its nodes made on first expand, each row presented.
    t = performance.now();
    const biggest = categories.filter((c) => c.kind === 'category').sort((a, b) => (b.kind === 'category' && a.kind === 'category' ? b.count - a.count : 0))[0]!;
    if (biggest.kind !== 'category') throw new Error('no category');
    const nodes = snapshot.templatesOf(biggest);
    for (const n of nodes) present(n, ctx);
    expand.push(performance.now() - t);
    rows = nodes.length;
  }
  const s = median(search);
  const b = median(build);
  const e = median(expand);
  console.log(`Tree over ${TEMPLATES.toLocaleString('en')} templates, median of ${ROUNDS} rounds:`);
  console.log(`  engine search (all, by downloads)          ${s.toFixed(2)} ms   (the peer: what the view waits for anyway)`);
  console.log(`  snapshot: sources and categories           ${b.toFixed(2)} ms   (${(b / s).toFixed(2)}× the search)`);
  console.log(`  expand the biggest category (${rows} rows) ${e.toFixed(2)} ms   (${(e / s).toFixed(2)}× the search)`);
  console.log(`  tree work in all                           ${(b + e).toFixed(2)} ms   (a pause becomes visible at ~100 ms: ${((b + e) / 100).toFixed(2)} of it)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run();
