import { diffLines, type Hunk } from './diff';
import { decodeText, lineEnding, sameBytes, splitLines } from './lines';

/**
 * Caps that keep a merge cheap whatever the input (a file on disk may be anything). Past
 * maxBytes or maxLines a file is merged whole; past maxEditDistance the differing middle of a
 * file is treated as one change. Both degrade to "clean only if one side kept the base or both
 * sides agree", never to a wrong result. Worst case: O((N+M)·maxEditDistance) steps and
 * O(maxEditDistance²) 4-byte integers (about 16 MB at 2,000).
 */
export interface MergeLimits {
  maxBytes: number;
  maxLines: number;
  maxEditDistance: number;
}

export const MERGE_LIMITS: Readonly<MergeLimits> = {
  /** Bytes of each of base, ours and theirs (UTF-16 code units for strings). */
  maxBytes: 4 * 1024 * 1024,
  /** Lines of each of base, ours and theirs. */
  maxLines: 100_000,
  /** Lines inserted plus deleted between base and one side. */
  maxEditDistance: 2000,
};

export interface MergeLabels {
  ours?: string;
  base?: string;
  theirs?: string;
}

export interface Merge3Options {
  /** Text after each conflict marker; default "ours", "base", "theirs". */
  labels?: MergeLabels;
  /** Include the base section ("||||||| base", diff3 style); default true. */
  showBase?: boolean;
  /** Lower caps than MERGE_LIMITS (tests); higher ones are ignored. */
  limits?: Partial<MergeLimits>;
}

export type Merge3Result = { clean: true; text: string } | { clean: false; text: string; conflicts: number };

/**
 * Line-based three-way merge (diff3): base is the old rendering, ours the file as it is now, theirs
 * the new rendering. Changes only one side made are taken; regions both sides changed are clean
 * when both made the same change and a conflict otherwise, written with git-style markers:
 *
 *     <<<<<<< ours / ||||||| base / ======= / >>>>>>> theirs
 *
 * Like git, changes that touch (one ends on the line where the other starts, or insertions at the
 * same place) count as overlapping: adjacent edits are often related and worth a look.
 */
export function merge3(base: string, ours: string, theirs: string, opts: Merge3Options = {}): Merge3Result {
  if (ours === theirs) return { clean: true, text: ours };
  if (ours === base) return { clean: true, text: theirs };
  if (theirs === base) return { clean: true, text: ours };
  const limits = effectiveLimits(opts.limits);
  const eol = lineEnding(ours, base, theirs);
  if ([base, ours, theirs].some((text) => text.length > limits.maxBytes)) return wholeConflict(base, ours, theirs, eol, opts);
  const [b, o, t] = [splitLines(base), splitLines(ours), splitLines(theirs)];
  if ([b, o, t].some((lines) => lines.length > limits.maxLines)) return wholeConflict(base, ours, theirs, eol, opts);

  const groups = groupHunks(diffLines(b, o, limits.maxEditDistance), diffLines(b, t, limits.maxEditDistance));
  const out: string[] = [];
  let conflicts = 0;
  let at = 0; // next base line to copy
  for (const g of groups) {
    pushAll(out, b, at, g.baseStart);
    const oursPart = o.slice(g.ours[0], g.ours[1]);
    const theirsPart = t.slice(g.theirs[0], g.theirs[1]);
    if (!g.oursChanged) pushAll(out, theirsPart);
    else if (!g.theirsChanged || equalLines(oursPart, theirsPart)) pushAll(out, oursPart);
    else {
      conflicts++;
      writeConflict(out, oursPart, b.slice(g.baseStart, g.baseEnd), theirsPart, eol, opts);
    }
    at = g.baseEnd;
  }
  pushAll(out, b, at, b.length);
  const text = out.join('');
  return conflicts === 0 ? { clean: true, text } : { clean: false, text, conflicts };
}

export type MergeBytesResult =
  | { clean: true; bytes: Uint8Array }
  /** Text that both sides changed in overlapping places: `bytes` is the text with conflict markers. */
  | { clean: false; reason: 'conflict'; bytes: Uint8Array; conflicts: number }
  /** Binary content (NUL or invalid UTF-8 on any side) both sides changed differently: nothing to merge. */
  | { clean: false; reason: 'binary'; conflicts: 1 };

/**
 * `merge3` on file contents. Binary content is merged as a whole: clean only when ours or theirs
 * is the base, or both are the same. Text is merged by lines (a BOM is part of the first line).
 */
export function mergeBytes(base: Uint8Array, ours: Uint8Array, theirs: Uint8Array, opts: Merge3Options = {}): MergeBytesResult {
  if (sameBytes(ours, theirs) || sameBytes(theirs, base)) return { clean: true, bytes: ours };
  if (sameBytes(ours, base)) return { clean: true, bytes: theirs };
  const [b, o, t] = [decodeText(base), decodeText(ours), decodeText(theirs)];
  if (b === undefined || o === undefined || t === undefined) return { clean: false, reason: 'binary', conflicts: 1 };
  const merged = merge3(b, o, t, opts);
  const bytes = new TextEncoder().encode(merged.text);
  return merged.clean ? { clean: true, bytes } : { clean: false, reason: 'conflict', bytes, conflicts: merged.conflicts };
}

interface Group {
  baseStart: number;
  baseEnd: number;
  /** [start, end) in ours and theirs covering [baseStart, baseEnd). */
  ours: [number, number];
  theirs: [number, number];
  oursChanged: boolean;
  theirsChanged: boolean;
}

/**
 * Joins the hunks of both sides into groups whose base ranges overlap or touch, and maps each
 * group's base range onto each side. Outside the groups all three texts agree.
 */
function groupHunks(oursHunks: Hunk[], theirsHunks: Hunk[]): Group[] {
  const all = [...oursHunks.map((h) => ({ h, side: 0 })), ...theirsHunks.map((h) => ({ h, side: 1 }))];
  all.sort((x, y) => x.h.aStart - y.h.aStart || x.h.aEnd - y.h.aEnd);
  const groups: Group[] = [];
  // Lines each side inserted minus deleted before the current position: maps base to side indexes.
  const delta = [0, 0];
  let i = 0;
  while (i < all.length) {
    const members = [all[i]!];
    let baseEnd = all[i]!.h.aEnd;
    for (i++; i < all.length && all[i]!.h.aStart <= baseEnd; i++) {
      members.push(all[i]!);
      baseEnd = Math.max(baseEnd, all[i]!.h.aEnd);
    }
    const baseStart = members[0]!.h.aStart;
    const ranges = [0, 1].map((side): [number, number] => {
      const own = members.filter((m) => m.side === side).map((m) => m.h);
      if (own.length === 0) return [baseStart + delta[side]!, baseEnd + delta[side]!];
      const first = own[0]!;
      const last = own[own.length - 1]!;
      return [first.bStart - (first.aStart - baseStart), last.bEnd + (baseEnd - last.aEnd)];
    });
    for (const side of [0, 1]) delta[side] = ranges[side]![1] - baseEnd;
    groups.push({
      baseStart,
      baseEnd,
      ours: ranges[0]!,
      theirs: ranges[1]!,
      oursChanged: members.some((m) => m.side === 0),
      theirsChanged: members.some((m) => m.side === 1),
    });
  }
  return groups;
}

function writeConflict(out: string[], ours: string[], base: string[], theirs: string[], eol: string, opts: Merge3Options): void {
  const labels = { ours: 'ours', base: 'base', theirs: 'theirs', ...opts.labels };
  const section = (lines: string[]): void => {
    pushAll(out, lines);
    // A side whose last line has no newline would otherwise run into the next marker.
    const last = lines[lines.length - 1];
    if (last !== undefined && !last.endsWith('\n')) out.push(eol);
  };
  out.push(`<<<<<<< ${labels.ours}`.trimEnd() + eol);
  section(ours);
  if (opts.showBase ?? true) {
    out.push(`||||||| ${labels.base}`.trimEnd() + eol);
    section(base);
  }
  out.push(`=======${eol}`);
  section(theirs);
  out.push(`>>>>>>> ${labels.theirs}`.trimEnd() + eol);
}

/** The degraded merge: the whole file is one region both sides changed. */
function wholeConflict(base: string, ours: string, theirs: string, eol: string, opts: Merge3Options): Merge3Result {
  const out: string[] = [];
  const one = (text: string): string[] => (text === '' ? [] : [text]);
  writeConflict(out, one(ours), one(base), one(theirs), eol, opts);
  return { clean: false, text: out.join(''), conflicts: 1 };
}

function effectiveLimits(given: Partial<MergeLimits> = {}): MergeLimits {
  const pick = (key: keyof MergeLimits): number => Math.min(given[key] ?? MERGE_LIMITS[key], MERGE_LIMITS[key]);
  return { maxBytes: pick('maxBytes'), maxLines: pick('maxLines'), maxEditDistance: pick('maxEditDistance') };
}

function equalLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

function pushAll(out: string[], lines: string[], from = 0, to = lines.length): void {
  for (let i = from; i < to; i++) out.push(lines[i]!);
}
