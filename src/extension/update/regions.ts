/**
 * Which conflicts a completed merge left unresolved. Pure (no `vscode`): unit-tested.
 *
 * VS Code's merge editor, opened on a result with conflict markers, resets the result: every
 * conflicting region it cannot settle by itself shows the BASE text (the installed version's),
 * marked "unhandled". "Complete Merge" with conflicts left saves that text as it is, markers gone:
 * the region has neither the user's change nor the new version's. This module finds those regions
 * by laying the engine's merge (markers with the base section, diff3 style) over the result: the
 * text between conflicts anchors each region, and a region that still equals its base, where both
 * sides changed it, was left unresolved.
 */

import { hasConflictMarkers } from './summary';

interface ConflictBlock {
  ours: string;
  /** Undefined when the markers have no base section (then nothing can be said about it). */
  base: string | undefined;
  theirs: string;
  /** The whole block, markers included, as the engine wrote it. */
  marked: string;
}

/** The engine's merge split into the text around conflicts (`between.length === blocks.length + 1`) and the conflicts. */
export interface MarkedMerge {
  between: string[];
  blocks: ConflictBlock[];
}

const START = /^<{7}(?: |\r?\n|$)/;
const BASE = /^\|{7}(?: |\r?\n|$)/;
const SEPARATOR = /^={7}(?:\r?\n|$)/;
const END = /^>{7}(?: |\r?\n|$)/;

/** Splits text with git-style conflict markers; undefined when the markers are not well formed. */
export function parseMarkedMerge(text: string): MarkedMerge | undefined {
  const lines = text.split(/(?<=\n)/);
  const between: string[] = [''];
  const blocks: ConflictBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!START.test(line)) {
      between[between.length - 1] += line;
      i++;
      continue;
    }
    const parts: Record<'ours' | 'base' | 'theirs', string[]> = { ours: [], base: [], theirs: [] };
    let section: 'ours' | 'base' | 'theirs' = 'ours';
    let hasBase = false;
    let marked = line;
    for (i++; ; i++) {
      const l = lines[i];
      if (l === undefined) return undefined; // no end marker
      marked += l;
      if (section === 'ours' && BASE.test(l)) {
        section = 'base';
        hasBase = true;
      } else if (section !== 'theirs' && SEPARATOR.test(l)) section = 'theirs';
      else if (section === 'theirs' && END.test(l)) break;
      else if (START.test(l)) return undefined; // nested markers
      else parts[section].push(l);
    }
    i++;
    blocks.push({ ours: parts.ours.join(''), base: hasBase ? parts.base.join('') : undefined, theirs: parts.theirs.join(''), marked });
    between.push('');
  }
  return { between, blocks };
}

export interface UnresolvedRegions {
  /** Conflicting regions the result still holds the base text of. */
  count: number;
  /** The result with those regions written back as conflict markers (the rest as the user left it). */
  withMarkers: string;
}

/**
 * The regions of `merged` (the engine's merge with markers) that `result` left as their base text.
 * Undefined when the result cannot be laid over the merge (the user also edited the text between
 * conflicts, or the merge has no markers): then nothing is claimed either way.
 */
export function unresolvedRegions(merged: string, result: string): UnresolvedRegions | undefined {
  const parsed = parseMarkedMerge(merged);
  if (!parsed || parsed.blocks.length === 0) return undefined;
  const { between, blocks } = parsed;
  if (!result.startsWith(between[0]!)) return undefined;
  let at = between[0]!.length;
  let out = between[0]!;
  let count = 0;
  for (const [i, block] of blocks.entries()) {
    const next = between[i + 1]!;
    const last = i === blocks.length - 1;
    let end: number;
    if (last) {
      end = result.length - next.length;
      if (end < at || !result.endsWith(next)) return undefined;
    } else {
      // Text between two conflicts is never empty (the engine joins touching regions), so it anchors.
      if (next === '') return undefined;
      end = result.indexOf(next, at);
      if (end < 0) return undefined;
    }
    const region = result.slice(at, end);
    if (isBase(region, block, last && next === '')) {
      count++;
      out += block.marked;
    } else {
      out += region;
    }
    out += next;
    at = end + next.length;
  }
  return { count, withMarkers: out };
}

/** The region is the block's base text, and both sides had changed it (a real conflict left alone). */
function isBase(region: string, block: ConflictBlock, atEnd: boolean): boolean {
  if (block.base === undefined || block.base === block.ours || block.base === block.theirs) return false;
  if (region === block.base) return true;
  // At the end of a file without a final newline the engine's markers add one after each section.
  return atEnd && /\r?\n$/.test(block.base) && region === block.base.replace(/\r?\n$/, '');
}

/** What a completed merge holds: fully merged, markers left in it, or regions left with the base text. */
export type MergeOutcome = { how: 'merged' } | { how: 'markers' } | { how: 'unresolved'; regions: number; withMarkers: string };

/** Judges the text the merge editor saved against the merge it started from (`initial`, with markers). */
export function mergeOutcome(initial: string, result: string): MergeOutcome {
  if (hasConflictMarkers(result)) return { how: 'markers' };
  const left = unresolvedRegions(initial, result);
  return left && left.count > 0 ? { how: 'unresolved', regions: left.count, withMarkers: left.withMarkers } : { how: 'merged' };
}
