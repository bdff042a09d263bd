/** A region where two line sequences differ: a[aStart, aEnd) became b[bStart, bEnd). */
export interface Hunk {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/**
 * The differences between two line sequences, as hunks in order (Myers' O((N+M)·D) greedy
 * algorithm on the part left after trimming the common prefix and suffix).
 *
 * Bounded: the search stops after `maxEditDistance` edits, and the untrimmed middle is then
 * reported as one hunk. That is still a correct diff, only a coarser one, so a hostile input costs
 * at most O((N+M)·maxD) time and O(maxD²) memory and a merge degrades to "both sides changed this".
 */
export function diffLines(a: readonly string[], b: readonly string[], maxEditDistance: number): Hunk[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let aEnd = a.length;
  let bEnd = b.length;
  while (aEnd > start && bEnd > start && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  if (start === aEnd && start === bEnd) return [];
  if (start === aEnd || start === bEnd) return [{ aStart: start, aEnd, bStart: start, bEnd }];

  // Interning turns each line comparison in the inner loop into an integer comparison.
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[], from: number, to: number): Int32Array => {
    const out = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      const line = lines[i]!;
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out[i - from] = id;
    }
    return out;
  };
  const x = intern(a, start, aEnd);
  const y = intern(b, start, bEnd);
  const matches = myers(x, y, maxEditDistance);
  if (!matches) return [{ aStart: start, aEnd, bStart: start, bEnd }];

  const hunks: Hunk[] = [];
  let [i, j] = [0, 0];
  for (const [mi, mj] of [...matches, [x.length, y.length] as const]) {
    if (mi > i || mj > j) hunks.push({ aStart: start + i, aEnd: start + mi, bStart: start + j, bEnd: start + mj });
    [i, j] = [mi + 1, mj + 1];
  }
  return hunks;
}

/** Matched index pairs (ascending) of a longest common subsequence, or undefined past maxD edits. */
function myers(a: Int32Array, b: Int32Array, maxD: number): [number, number][] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxD);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds v[-d..d] after step d: what the backtrack needs to find each step's origin.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let px = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let py = px - k;
      while (px < n && py < m && a[px] === b[py]) {
        px++;
        py++;
      }
      v[offset + k] = px;
      if (px >= n && py >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        return backtrack(trace, n, m);
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return undefined;
}

function backtrack(trace: Int32Array[], n: number, m: number): [number, number][] {
  const matches: [number, number][] = [];
  let [x, y] = [n, m];
  for (let d = trace.length - 1; d > 0; d--) {
    const prev = trace[d - 1]!; // v[-(d-1)..d-1], index k + d - 1
    const at = (k: number): number => prev[k + d - 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    // Step d was one insertion (down, from k + 1) or deletion (right, from k - 1), then a snake of
    // matched lines up to (x, y).
    const midX = prevK === k + 1 ? prevX : prevX + 1;
    while (x > midX) {
      matches.push([x - 1, y - 1]);
      x--;
      y--;
    }
    [x, y] = [prevX, prevY];
  }
  while (x > 0 && y > 0) {
    matches.push([x - 1, y - 1]);
    x--;
    y--;
  }
  return matches.reverse();
}
