/** What relatedness is judged on: a catalog entry's tags and category, and its popularity for ties. */
export interface RelatedCandidate {
  ref: string;
  category: string;
  tags: readonly string[];
  downloads: number;
}

/** A shared tag says more than a shared category, which many templates have. */
const TAG_WEIGHT = 2;
const CATEGORY_WEIGHT = 1;

/**
 * How related `b` is to `a`: two points per tag they share (compared without case), one if they are
 * in the same category. 0 means unrelated.
 */
export function relatedness(a: RelatedCandidate, b: RelatedCandidate): number {
  return relatednessTo(a)(b);
}

/** `relatedness(a, ·)`, with `a`'s side prepared once. */
function relatednessTo(a: RelatedCandidate): (b: RelatedCandidate) => number {
  const tags = new Set(a.tags.map((t) => t.toLowerCase()));
  const category = a.category.toLowerCase();
  return (b) => {
    let score = 0;
    for (const tag of new Set(b.tags.map((t) => t.toLowerCase()))) if (tags.has(tag)) score += TAG_WEIGHT;
    if (category === b.category.toLowerCase()) score += CATEGORY_WEIGHT;
    return score;
  };
}

/**
 * The `limit` templates most related to `to` (never `to` itself, never an unrelated one), best
 * first; ties go to the more downloaded, then to the ref, so the answer is stable. One pass over
 * the catalog with a bounded selection: microseconds for a thousand templates.
 */
export function mostRelated<T extends RelatedCandidate>(all: Iterable<T>, to: RelatedCandidate, limit: number): T[] {
  if (limit <= 0) return [];
  const score = relatednessTo(to);
  const best: { entry: T; score: number }[] = [];
  const before = (x: { entry: T; score: number }, y: { entry: T; score: number }): boolean =>
    x.score !== y.score ? x.score > y.score : x.entry.downloads !== y.entry.downloads ? x.entry.downloads > y.entry.downloads : x.entry.ref < y.entry.ref;
  for (const entry of all) {
    if (entry.ref === to.ref) continue;
    const candidate = { entry, score: score(entry) };
    if (candidate.score === 0) continue;
    if (best.length === limit && !before(candidate, best[best.length - 1]!)) continue;
    // Insertion into a list of at most `limit` (a handful): simpler than a heap, and as fast here.
    let at = best.length;
    while (at > 0 && before(candidate, best[at - 1]!)) at--;
    best.splice(at, 0, candidate);
    if (best.length > limit) best.pop();
  }
  return best.map((b) => b.entry);
}
