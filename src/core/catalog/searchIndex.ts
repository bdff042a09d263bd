import { FormatError } from '../errors';
import { endsWithSeparator, foldText, tokenize } from './tokenize';
import { topK } from './topK';

/** What the index needs of a template; a catalog `TemplateEntry` has all of it. */
export interface Searchable {
  id: string;
  name: string;
  description: string;
  tags: string[];
  category: string;
  downloads: number;
  updatedAt: string;
}

export type SearchSort = 'relevance' | 'downloads' | 'updated' | 'name';

export interface SearchQuery {
  /** Words to find; all must match, the last one also as a prefix (type-ahead). */
  query?: string;
  category?: string;
  /** Every one of these tags must be present. */
  tags?: string[];
  /** Default: 'relevance' with words to find, 'downloads' without. */
  sort?: SearchSort;
  /** Default 50. */
  limit?: number;
  offset?: number;
}

export interface SearchHit<T> {
  entry: T;
  /** Relevance to the query (BM25); 0 without a query. */
  score: number;
}

export interface SearchResult<T> {
  /** Matches in all, before limit and offset. */
  total: number;
  hits: SearchHit<T>[];
}

/** Where a word appears matters: a name match is worth three description matches. */
const FIELD_WEIGHT = { name: 3, tags: 2, id: 2, description: 1 } as const;
/** BM25 term-frequency saturation and length normalisation, the usual values. */
const K1 = 1.2;
const B = 0.75;
/** A completion ("contri" → "contributing") ranks a little below the typed word itself. */
const PREFIX_WEIGHT = 0.8;
const DEFAULT_LIMIT = 50;
const SORTS: readonly SearchSort[] = ['relevance', 'downloads', 'updated', 'name'];

/** Documents containing one term, ascending, with that term's precomputed BM25 score in each. */
interface Postings {
  docs: Int32Array;
  scores: Float64Array;
}

const NO_POSTINGS: Postings = { docs: new Int32Array(0), scores: new Float64Array(0) };

type StaticSort = Exclude<SearchSort, 'relevance'>;

interface Filter {
  /** Documents that may pass, ascending: the shortest list of one category or tag. */
  candidates: Int32Array;
  accepts(doc: number): boolean;
}

/** A filter that names an unknown category or tag: nothing can match. */
const NOTHING = Symbol('nothing');

/**
 * An in-memory full-text index of a catalog, built once per catalog version. Building tokenizes
 * every entry into an inverted index (term → postings with BM25 scores), a sorted term list for
 * prefix lookups and per-category and per-tag document lists; a query then only merges a few
 * postings lists and never looks at the raw text again.
 */
export class SearchIndex<T extends Searchable> {
  readonly #entries: readonly T[];
  readonly #postings = new Map<string, Postings>();
  /** Every indexed term, sorted, for binary-searching the completions of a prefix. */
  readonly #terms: string[];
  readonly #byCategory = new Map<string, Int32Array>();
  readonly #byTag = new Map<string, Int32Array>();
  readonly #docCategory: string[];
  readonly #docTags: ReadonlySet<string>[];
  readonly #categoryCounts: { name: string; count: number }[];
  readonly #tagCounts: { name: string; count: number }[];
  /** Per static sort: the documents in that order, and each document's position in it; built on first use. */
  readonly #orders = new Map<StaticSort, { order: Int32Array; rank: Int32Array }>();

  constructor(entries: readonly T[]) {
    this.#entries = [...entries];
    const n = this.#entries.length;

    // Weighted term frequencies per document: BM25F with one length per document.
    const docTerms: Map<string, number>[] = [];
    const docLength = new Float64Array(n);
    const df = new Map<string, number>();
    for (let doc = 0; doc < n; doc++) {
      const e = this.#entries[doc]!;
      const tf = new Map<string, number>();
      let length = 0;
      const add = (text: string, weight: number) => {
        for (const term of tokenize(text)) {
          tf.set(term, (tf.get(term) ?? 0) + weight);
          length += weight;
        }
      };
      add(e.name, FIELD_WEIGHT.name);
      add(e.description, FIELD_WEIGHT.description);
      for (const tag of e.tags) add(tag, FIELD_WEIGHT.tags);
      add(e.id, FIELD_WEIGHT.id);
      for (const term of tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
      docTerms.push(tf);
      docLength[doc] = length;
    }

    let totalLength = 0;
    for (const length of docLength) totalLength += length;
    const avgLength = n > 0 ? totalLength / n || 1 : 1;
    const fill = new Map<string, number>();
    for (const [term, count] of df) {
      this.#postings.set(term, { docs: new Int32Array(count), scores: new Float64Array(count) });
      fill.set(term, 0);
    }
    for (let doc = 0; doc < n; doc++) {
      const norm = K1 * (1 - B + (B * docLength[doc]!) / avgLength);
      for (const [term, tf] of docTerms[doc]!) {
        const p = this.#postings.get(term)!;
        const i = fill.get(term)!;
        const idf = Math.log(1 + (n - p.docs.length + 0.5) / (p.docs.length + 0.5));
        p.docs[i] = doc;
        p.scores[i] = (idf * tf * (K1 + 1)) / (tf + norm);
        fill.set(term, i + 1);
      }
    }
    this.#terms = [...this.#postings.keys()].sort();

    this.#docCategory = this.#entries.map((e) => foldText(e.category));
    this.#docTags = this.#entries.map((e) => new Set(e.tags.map(foldText)));
    this.#categoryCounts = groupDocs(this.#entries.map((e) => [e.category]), this.#byCategory);
    this.#tagCounts = groupDocs(this.#entries.map((e) => e.tags), this.#byTag);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Categories with their number of templates, most used first. */
  categories(): { name: string; count: number }[] {
    return this.#categoryCounts.map((c) => ({ ...c }));
  }

  /** Tags with their number of templates, most used first. */
  tags(): { name: string; count: number }[] {
    return this.#tagCounts.map((t) => ({ ...t }));
  }

  search(q: SearchQuery = {}): SearchResult<T> {
    const limit = checkCount(q.limit ?? DEFAULT_LIMIT, 'limit');
    const offset = checkCount(q.offset ?? 0, 'offset');
    if (q.sort !== undefined && !SORTS.includes(q.sort)) {
      throw new FormatError(`must be one of ${SORTS.join(', ')}`, undefined, 'sort');
    }
    const query = q.query ?? '';
    const words = tokenize(query);
    const sort = q.sort ?? (words.length > 0 ? 'relevance' : 'downloads');
    const filter = this.#filter(q.category, q.tags ?? []);
    if (filter === NOTHING) return { total: 0, hits: [] };

    if (words.length === 0) {
      const { order } = this.#order(sort === 'relevance' ? 'downloads' : sort);
      if (!filter) {
        // Neither words nor filters: the answer is a slice of a precomputed order.
        const hits = [...order.subarray(offset, offset + limit)].map((doc) => ({ entry: this.#entries[doc]!, score: 0 }));
        return { total: order.length, hits };
      }
      const docs = filter.candidates.filter(filter.accepts);
      return this.#page({ docs, scores: new Float64Array(docs.length) }, sort, offset, limit);
    }

    let matched = this.#match(words, !endsWithSeparator(query));
    if (filter) matched = keep(matched, filter.accepts);
    return this.#page(matched, sort, offset, limit);
  }

  /** Documents containing every word (the last one possibly as a prefix), with summed scores. */
  #match(words: string[], lastIsPrefix: boolean): Postings {
    const last = words[words.length - 1]!;
    const exact = new Set(words.slice(0, -1));
    const lists: Postings[] = [];
    if (lastIsPrefix) {
      exact.delete(last); // "api api" needs "api" once, "api ap" still needs both
      lists.push(this.#completions(last));
    } else {
      exact.add(last);
    }
    for (const word of exact) lists.push(this.#postings.get(word) ?? NO_POSTINGS);
    // Intersect from the shortest list: the work is bounded by the rarest word.
    lists.sort((a, b) => a.docs.length - b.docs.length);
    let result = lists[0]!;
    for (let i = 1; i < lists.length && result.docs.length > 0; i++) result = intersect(result, lists[i]!);
    return result;
  }

  /** The union of the postings of every term starting with `prefix`, best score per document. */
  #completions(prefix: string): Postings {
    const expansions: { postings: Postings; weight: number }[] = [];
    for (let t = lowerBound(this.#terms, prefix); t < this.#terms.length && this.#terms[t]!.startsWith(prefix); t++) {
      const term = this.#terms[t]!;
      expansions.push({ postings: this.#postings.get(term)!, weight: term === prefix ? 1 : PREFIX_WEIGHT });
    }
    if (expansions.length === 0) return NO_POSTINGS;
    if (expansions.length === 1) {
      const { postings, weight } = expansions[0]!;
      return weight === 1 ? postings : { docs: postings.docs, scores: postings.scores.map((score) => score * weight) };
    }
    // BM25 scores are positive, so 0 in `best` means "not seen". One pass over the documents
    // then lists them in order, cheaper than sorting once many terms share the prefix.
    const best = new Float64Array(this.#entries.length);
    let found = 0;
    for (const { postings, weight } of expansions) {
      for (let i = 0; i < postings.docs.length; i++) {
        const doc = postings.docs[i]!;
        const score = postings.scores[i]! * weight;
        if (best[doc] === 0) found++;
        if (score > best[doc]!) best[doc] = score;
      }
    }
    const docs = new Int32Array(found);
    const scores = new Float64Array(found);
    for (let doc = 0, j = 0; j < found; doc++) {
      if (best[doc] === 0) continue;
      docs[j] = doc;
      scores[j++] = best[doc]!;
    }
    return { docs, scores };
  }

  /**
   * The category and tag filters as a candidate list (the shortest of their document lists) and
   * a check for the rest; undefined without filters, NOTHING when a filter names an unknown value.
   */
  #filter(category: string | undefined, tags: readonly string[]): Filter | undefined | typeof NOTHING {
    const wantCategory = category === undefined ? undefined : foldText(category);
    const wantTags = [...new Set(tags.map(foldText))];
    if (wantCategory === undefined && wantTags.length === 0) return undefined;
    const lists = [...(wantCategory === undefined ? [] : [this.#byCategory.get(wantCategory)]), ...wantTags.map((tag) => this.#byTag.get(tag))];
    let candidates: Int32Array | undefined;
    for (const list of lists) {
      if (!list) return NOTHING;
      if (!candidates || list.length < candidates.length) candidates = list;
    }
    return {
      candidates: candidates!,
      accepts: (doc) =>
        (wantCategory === undefined || this.#docCategory[doc] === wantCategory) && wantTags.every((tag) => this.#docTags[doc]!.has(tag)),
    };
  }

  /** Sorts the matches and cuts out one page. */
  #page({ docs, scores }: Postings, sort: SearchSort, offset: number, limit: number): SearchResult<T> {
    // Ties in relevance go to the more downloaded template; the static orders are total orders.
    const { rank } = this.#order(sort === 'relevance' ? 'downloads' : sort);
    const byRank = (a: number, b: number) => rank[docs[a]!]! - rank[docs[b]!]!;
    const compare = sort === 'relevance' ? (a: number, b: number) => scores[b]! - scores[a]! || byRank(a, b) : byRank;
    const best = topK(docs.length, Math.min(offset + limit, docs.length), compare);
    const hits = best.slice(offset).map((i) => ({ entry: this.#entries[docs[i]!]!, score: scores[i]! }));
    return { total: docs.length, hits };
  }

  #order(sort: StaticSort): { order: Int32Array; rank: Int32Array } {
    let cached = this.#orders.get(sort);
    if (!cached) {
      const e = this.#entries;
      // Made only when two names must be compared: the first Collator of a process loads ICU's
      // collation data (~8 ms), which a by-downloads order without ties never needs.
      let byName: Intl.Collator | undefined;
      const name = (a: number, b: number) =>
        (byName ??= new Intl.Collator('en', { sensitivity: 'base', numeric: true })).compare(e[a]!.name, e[b]!.name) || (e[a]!.id < e[b]!.id ? -1 : e[a]!.id > e[b]!.id ? 1 : a - b);
      const downloads = (a: number, b: number) => e[b]!.downloads - e[a]!.downloads || name(a, b);
      const updated = sort === 'updated' ? e.map((x) => Date.parse(x.updatedAt) || 0) : [];
      const compare = sort === 'name' ? name : sort === 'downloads' ? downloads : (a: number, b: number) => updated[b]! - updated[a]! || downloads(a, b);
      const order = Int32Array.from(e.keys()).sort(compare);
      const rank = new Int32Array(e.length);
      order.forEach((doc, position) => (rank[doc] = position));
      cached = { order, rank };
      this.#orders.set(sort, cached);
    }
    return cached;
  }
}

/** The postings whose document passes `accepts`. */
function keep(p: Postings, accepts: (doc: number) => boolean): Postings {
  const docs = new Int32Array(p.docs.length);
  const scores = new Float64Array(p.docs.length);
  let count = 0;
  for (let i = 0; i < p.docs.length; i++) {
    if (!accepts(p.docs[i]!)) continue;
    docs[count] = p.docs[i]!;
    scores[count++] = p.scores[i]!;
  }
  return { docs: docs.subarray(0, count), scores: scores.subarray(0, count) };
}

/** Intersects two postings lists, adding scores; walks the shorter and binary-searches the longer. */
function intersect(a: Postings, b: Postings): Postings {
  const [short, long] = a.docs.length <= b.docs.length ? [a, b] : [b, a];
  const docs = new Int32Array(short.docs.length);
  const scores = new Float64Array(short.docs.length);
  let count = 0;
  let j = 0;
  for (let i = 0; i < short.docs.length && j < long.docs.length; i++) {
    const doc = short.docs[i]!;
    j = lowerBound(long.docs, doc, j);
    if (long.docs[j] === doc) {
      docs[count] = doc;
      scores[count] = short.scores[i]! + long.scores[j]!;
      count++;
    }
  }
  return { docs: docs.subarray(0, count), scores: scores.subarray(0, count) };
}

/** The first index in sorted `list` (from `start`) whose value is not below `value`. */
function lowerBound<V extends string | number>(list: ArrayLike<V>, value: V, start = 0): number {
  let lo = start;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Fills `index` with folded key → documents (ascending) and returns the display names with their
 * counts, most used first, then by name.
 */
function groupDocs(keysPerDoc: readonly (readonly string[])[], index: Map<string, Int32Array>): { name: string; count: number }[] {
  const groups = new Map<string, { name: string; docs: number[] }>();
  keysPerDoc.forEach((names, doc) => {
    for (const name of new Set(names)) {
      const key = foldText(name);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { name, docs: [] }));
      if (group.docs[group.docs.length - 1] !== doc) group.docs.push(doc);
    }
  });
  for (const [key, group] of groups) index.set(key, Int32Array.from(group.docs));
  return [...groups.values()]
    .map((g) => ({ name: g.name, count: g.docs.length }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function checkCount(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new FormatError('must be a whole number, 0 or more', undefined, field);
  return value;
}
