/**
 * The hit ratio the related-template prefetch adds on a browse sequence: a generated marketplace of
 * 1,000 templates (12 categories, tags mostly shared within a category, Zipf-like downloads) served
 * on loopback, and scripted users who open a popular template, then browse from one template to a
 * neighbour. An open is a hit when its package was already in the caches (fetched before, by the
 * user or by a prefetch). The same sequence runs with prefetchRelated 3 (the default) and 0 (off),
 * each on a fresh cache; the user pauses THINK_MS after each open, as one reads a preview.
 *
 * Two models of "neighbour", since the gain depends on what users do next:
 *   similar   one of the 5 templates most like the current one (what a "related" list shows)
 *   any-tag   any template sharing a tag with it, uniformly (a user following a tag)
 *
 *   node --import tsx test/bench/prefetch.bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MarketplaceClient } from '../../src/core';
import { mostRelated } from '../../src/core/catalog/related';
import { FixtureServer, MarketplaceFixture, type FixtureTemplate } from '../helpers/marketplaceFixture';

const TEMPLATES = 1000;
const CATEGORIES = 12;
const TAGS_PER_CATEGORY = 6;
const SESSIONS = 12;
const STEPS_PER_SESSION = 6;
const THINK_MS = 120;
const NEIGHBOUR_PROBABILITY = 0.75;

/** A small deterministic generator (mulberry32), so both runs browse the same sequence. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  ref: string;
  id: string;
  category: string;
  tags: string[];
  downloads: number;
}

function generate(): { fixture: MarketplaceFixture; entries: Entry[] } {
  const rnd = random(42);
  const templates: FixtureTemplate[] = [];
  const entries: Entry[] = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const c = Math.floor(rnd() * CATEGORIES);
    const own = (k: number) => `c${c}-tag${k}`;
    const tags = [...new Set([own(Math.floor(rnd() * TAGS_PER_CATEGORY)), own(Math.floor(rnd() * TAGS_PER_CATEGORY)), `topic${Math.floor(rnd() * 40)}`])];
    const downloads = Math.round(100_000 / (i + 1));
    const id = `t${String(i).padStart(4, '0')}`;
    templates.push({ id, tags, category: `category-${c}`, downloads });
    entries.push({ ref: `bench/${id}`, id, category: `category-${c}`, tags, downloads });
  }
  return { fixture: new MarketplaceFixture(templates), entries };
}

type Model = 'similar' | 'any-tag';

/** The ids the scripted users open, in order: sessions that start popular and walk to neighbours. */
function browseSequence(entries: Entry[], model: Model): string[] {
  const rnd = random(7);
  const popular = (): Entry => entries[Math.min(entries.length - 1, Math.floor(Math.pow(rnd(), 3) * entries.length))]!;
  const sequence: string[] = [];
  for (let s = 0; s < SESSIONS; s++) {
    let current = popular();
    sequence.push(current.id);
    for (let step = 1; step < STEPS_PER_SESSION; step++) {
      let next: Entry | undefined;
      if (rnd() < NEIGHBOUR_PROBABILITY) {
        const candidates =
          model === 'similar'
            ? mostRelated(entries, current, 5)
            : entries.filter((e) => e.ref !== current.ref && e.tags.some((t) => current.tags.includes(t)));
        next = candidates[Math.floor(rnd() * candidates.length)];
      }
      current = next ?? popular();
      sequence.push(current.id);
    }
  }
  return sequence;
}

async function browse(server: FixtureServer, fixture: MarketplaceFixture, sequence: string[], prefetchRelated: number): Promise<{ hits: number; downloads: number }> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'tm-bench-prefetch-'));
  const client = await MarketplaceClient.open({
    sources: [{ id: 'bench', url: server.url, publicKey: fixture.publicKey }],
    cacheDir,
    prefetchRelated,
    http: { retries: 0 },
  });
  const before = server.requests.length;
  let hits = 0;
  try {
    await client.refresh();
    for (const id of sequence) {
      const path = `packages/${id}-1.0.0.zip`;
      const cached = server.requests.slice(before).some((r) => r.path === path);
      await client.open(id, { purpose: 'browse' });
      if (cached) hits++;
      await delay(THINK_MS);
    }
  } finally {
    await client.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
  const downloads = server.requests.slice(before).filter((r) => r.path.startsWith('packages/')).length;
  return { hits, downloads };
}

export async function run(): Promise<void> {
  const { fixture, entries } = generate();
  const server = await FixtureServer.start(fixture);
  try {
    console.log(
      `\nRelated-template prefetch on a browse sequence — ${TEMPLATES} templates, ${SESSIONS} sessions × ${STEPS_PER_SESSION} opens, ` +
        `${Math.round(NEIGHBOUR_PROBABILITY * 100)}% of steps to a neighbour, ${THINK_MS} ms pause after each open`,
    );
    for (const model of ['similar', 'any-tag'] as const) {
      const sequence = browseSequence(entries, model);
      const off = await browse(server, fixture, sequence, 0);
      const on = await browse(server, fixture, sequence, 3);
      const ratio = (r: { hits: number }) => `${((r.hits / sequence.length) * 100).toFixed(0).padStart(3)}%`;
      console.log(
        `  neighbour = ${model.padEnd(8)} hit ratio: off ${ratio(off)}  →  prefetchRelated 3 ${ratio(on)}  ` +
          `(+${(((on.hits - off.hits) / sequence.length) * 100).toFixed(0)} points; packages downloaded ${off.downloads} → ${on.downloads})`,
      );
    }
    console.log('  (a hit: the package was in the caches when opened; "off" hits are re-visits)');
  } finally {
    await server.close();
  }
}

if (require.main === module) void run();
