import { createHash } from 'node:crypto';
import type { ProvenanceFile } from '../provenance/types';
import { mergeBytes, type Merge3Options } from './merge3';

/** What an update does to one file. "ours" is the file on disk, "base" what the install wrote, "theirs" the new rendering. */
export type FileUpdate =
  /** Nothing to do: ours already equals theirs (untouched, or both made the same change). */
  | { path: string; kind: 'unchanged' }
  /** Ours is the base: replace it with theirs. */
  | { path: string; kind: 'update'; bytes: Uint8Array }
  /** Theirs is the base (upstream did not change it): keep the local edit. */
  | { path: string; kind: 'keep-ours' }
  /** Both changed it, in separate places: write the merge. */
  | { path: string; kind: 'merged'; bytes: Uint8Array }
  /** New in this version and not on disk: create it. */
  | { path: string; kind: 'added'; bytes: Uint8Array }
  /** Removed in this version and unmodified locally: delete it. */
  | { path: string; kind: 'delete' }
  /** Deleted locally, and upstream did not change it (or removed it too): leave it deleted. */
  | { path: string; kind: 'keep-deleted' }
  | FileConflict;

export type ConflictReason =
  /** Both sides changed overlapping lines; `merged` holds the text with conflict markers. */
  | 'both-modified'
  /** Both sides changed binary content differently. */
  | 'binary'
  /** Both changed it, but the old rendering is not available (or does not match the record) to merge from. */
  | 'no-base'
  | 'modified-locally-removed-upstream'
  | 'deleted-locally-changed-upstream'
  /** New in this version, but a different file the template did not write is already there. */
  | 'exists-locally';

export interface FileConflict {
  path: string;
  kind: 'conflict';
  reason: ConflictReason;
  /** The file now, when there is one. */
  ours?: Uint8Array;
  /** The new rendering, when the new version has the file. */
  theirs?: Uint8Array;
  /** The old rendering, when known (for a merge editor). */
  base?: Uint8Array;
  /** For 'both-modified': the merge with conflict markers. */
  merged?: Uint8Array;
  /** Conflicting regions ('both-modified'), else 1. */
  conflicts: number;
}

export type FileUpdateKind = FileUpdate['kind'];

export interface UpdatePlanInput {
  /** The entry's recorded files: what the install wrote, by digest. */
  recorded: readonly ProvenanceFile[];
  /**
   * The files on disk now, by record path; absent from the map (or undefined) means missing. Must
   * cover every recorded path and every path of the new rendering.
   */
  current: ReadonlyMap<string, Uint8Array | undefined>;
  /** The installed version re-rendered with the recorded variables: the merge base. */
  oldRendering: ReadonlyMap<string, Uint8Array>;
  /** The new version rendered with the (possibly updated) variables. */
  newRendering: ReadonlyMap<string, Uint8Array>;
  /** Conflict marker labels and merge limits. */
  merge?: Merge3Options;
}

export interface UpdatePlan {
  /** One decision per path, sorted by path. */
  files: FileUpdate[];
  counts: Record<FileUpdateKind, number>;
  /** True when no file is in conflict: the plan can be applied without asking. */
  clean: boolean;
  /**
   * The entry's `files` once the update is applied: the new rendering's digests, since the new
   * rendering (not the merged result) is the base of the next update. Files removed upstream drop out.
   */
  recordFiles: ProvenanceFile[];
}

/**
 * Decides, file by file, what updating an installed template to a new version does. Pure: the
 * caller reads the disk and renders both versions; `applyUpdatePlan` (to come) writes. Digests,
 * not the old rendering, decide what was modified locally, so a record alone is enough for
 * everything but an actual merge.
 */
export function planUpdate(input: UpdatePlanInput): UpdatePlan {
  const recorded = new Map(input.recorded.map((f) => [f.path, f.sha256]));
  const paths = [...new Set([...recorded.keys(), ...input.newRendering.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files = paths.map((path) => decide(path, recorded.get(path), input));
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<FileUpdateKind, number>;
  for (const f of files) counts[f.kind]++;
  const recordFiles = [...input.newRendering]
    .map(([path, bytes]) => ({ path, sha256: digest(bytes) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, counts, clean: counts.conflict === 0, recordFiles };
}

const KINDS: readonly FileUpdateKind[] = ['unchanged', 'update', 'keep-ours', 'merged', 'added', 'delete', 'keep-deleted', 'conflict'];

function decide(path: string, baseDigest: string | undefined, input: UpdatePlanInput): FileUpdate {
  const ours = input.current.get(path);
  const theirs = input.newRendering.get(path);
  const oursDigest = ours && digest(ours);
  const theirsDigest = theirs && digest(theirs);

  if (baseDigest === undefined) {
    // Not written by the install: new in this version (or skipped at install time).
    if (theirs === undefined) throw new Error(`unreachable: ${path} is neither recorded nor rendered`);
    if (ours === undefined) return { path, kind: 'added', bytes: theirs };
    if (oursDigest === theirsDigest) return { path, kind: 'unchanged' };
    return { path, kind: 'conflict', reason: 'exists-locally', ours, theirs, conflicts: 1 };
  }
  if (theirs === undefined) {
    if (ours === undefined) return { path, kind: 'keep-deleted' };
    if (oursDigest === baseDigest) return { path, kind: 'delete' };
    return { path, kind: 'conflict', reason: 'modified-locally-removed-upstream', ours, ...withBase(path, baseDigest, input), conflicts: 1 };
  }
  if (ours === undefined) {
    if (theirsDigest === baseDigest) return { path, kind: 'keep-deleted' };
    return { path, kind: 'conflict', reason: 'deleted-locally-changed-upstream', theirs, ...withBase(path, baseDigest, input), conflicts: 1 };
  }
  if (oursDigest === theirsDigest) return { path, kind: 'unchanged' };
  if (oursDigest === baseDigest) return { path, kind: 'update', bytes: theirs };
  if (theirsDigest === baseDigest) return { path, kind: 'keep-ours' };

  const { base } = withBase(path, baseDigest, input);
  if (base === undefined) return { path, kind: 'conflict', reason: 'no-base', ours, theirs, conflicts: 1 };
  const merged = mergeBytes(base, ours, theirs, input.merge);
  if (merged.clean) return { path, kind: 'merged', bytes: merged.bytes };
  if (merged.reason === 'binary') return { path, kind: 'conflict', reason: 'binary', ours, theirs, base, conflicts: 1 };
  return { path, kind: 'conflict', reason: 'both-modified', ours, theirs, base, merged: merged.bytes, conflicts: merged.conflicts };
}

/** The old rendering of a path, only if it is what the install actually wrote. */
function withBase(path: string, baseDigest: string, input: UpdatePlanInput): { base?: Uint8Array } {
  const base = input.oldRendering.get(path);
  return base !== undefined && digest(base) === baseDigest ? { base } : {};
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
