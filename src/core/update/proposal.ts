import { FormatError, UpdateConflictError } from '../errors';
import { digestOf, serializeProvenanceBytes, upsertEntry, PROVENANCE_FILE, type ProvenanceEntry, type ProvenanceRecord } from '../provenance';
import { decodeText } from './lines';
import { merge3, type MergeLabels } from './merge3';
import type { FileConflict, FileUpdate, UpdatePlan } from './plan';

/**
 * An update of one installed template, prepared (downloaded, verified, rendered, planned) and not
 * yet written. `MarketplaceClient.prepareUpdate` makes it; `applyUpdate` writes it, or
 * `updateEdits` says exactly what to write for a caller that writes itself.
 */
export interface UpdateProposal {
  /** Absolute real path of the folder that holds the record. */
  dir: string;
  sourceId: string;
  templateId: string;
  /** `<source>/<id>`, as install() accepts it. */
  ref: string;
  fromVersion: string;
  toVersion: string;
  /** Every answer the new rendering used: recorded ones, given ones and defaults of new variables. */
  variables: Record<string, string>;
  /** Variables the new version added, with the value used (given or default). */
  newVariables: string[];
  /** Paths are record paths, relative to `dir`, "/"-separated. */
  plan: UpdatePlan;
  /**
   * Whether the recorded version could be re-rendered as the merge base: 'verified' when its
   * package was fetched and matched the recorded SHA-256 and signature, else why not (files both
   * sides changed are then 'no-base' conflicts).
   */
  base: { ok: true } | { ok: false; reason: string };
  /** Conflict marker labels: local, the old version, the new version. */
  labels: Required<MergeLabels>;
  /** What the update was planned against, to refuse applying it once the folder changed. */
  seen: UpdateSnapshot;
  /** The record entry after the update, but for `installedAt` (the time of writing). */
  next: Omit<ProvenanceEntry, 'installedAt'>;
}

export interface UpdateSnapshot {
  /** The record entry as it was. */
  entry: ProvenanceEntry;
  /** The whole record as it was. */
  record: ProvenanceRecord;
  /** SHA-256 of every planned path as it was, null when it was missing. */
  files: Record<string, string | null>;
}

/** What writing a proposal did (or would do) to one file. */
export type UpdateFileAction =
  /** ours was the old rendering: replaced by the new one */
  | 'updated'
  /** both changed it: merged cleanly */
  | 'merged'
  /** only ours changed it: the local edit stays */
  | 'kept-local'
  | 'added'
  | 'deleted'
  | 'unchanged'
  /** deleted locally and not changed upstream (or removed upstream too): stays deleted */
  | 'kept-deleted'
  /** a conflict settled by a resolution the caller gave */
  | 'resolved'
  /** a text conflict written with conflict markers */
  | 'conflict-markers'
  /** a conflict that left the local file as it is (binary, modified locally but removed upstream, exists locally) */
  | 'conflict-kept-local'
  /** deleted locally but changed upstream: left deleted */
  | 'conflict-left-deleted';

export interface UpdateFileOutcome {
  path: string;
  action: UpdateFileAction;
  /** For conflicts: why (see ConflictReason). */
  reason?: FileConflict['reason'];
}

export interface UpdateEdits {
  /** Files to write (bytes) or delete (null), record paths relative to the proposal's dir. */
  files: { path: string; bytes: Uint8Array | null }[];
  /** The whole new record. */
  record: { path: string; bytes: Uint8Array };
  /** The new record entry, for a caller combining several updates of one folder into one record. */
  entry: ProvenanceEntry;
  /** What happens to every planned path, sorted by path. */
  outcomes: UpdateFileOutcome[];
  /** Conflicting paths left unresolved (markers written or local kept), sorted. */
  conflicts: string[];
}

export interface UpdateEditOptions {
  /** Content chosen for a planned path (null: delete it). Any planned path may be given; usually conflicts. */
  resolutions?: ReadonlyMap<string, Uint8Array | null>;
  /**
   * Unresolved conflicts: 'fail' (the default) throws UpdateConflictError; 'markers' writes text
   * conflicts with conflict markers and leaves the local file (or its absence) for the others.
   */
  conflict?: 'markers' | 'fail';
  /** The record to add the entry to; default the one seen when preparing. */
  record?: ProvenanceRecord;
  /** ISO time of the update, stored as `installedAt`. */
  now: string;
}

/**
 * Exactly what applying `proposal` writes: every file (null = delete) and the record. Pure. The
 * record's `files` are the new rendering's digests (plan.recordFiles) whatever was written, since
 * the new rendering is the base of the next update.
 *
 * Unresolved conflicts with 'markers': text changed on both sides (also without a base) gets
 * git-style markers; everything else keeps the user's bytes: a binary file or a file that exists
 * locally stays as it is, a locally modified file the new version removed stays (no longer
 * recorded), and a file deleted locally but changed upstream stays deleted.
 */
export function computeUpdateEdits(proposal: UpdateProposal, opts: UpdateEditOptions): UpdateEdits {
  const resolutions = opts.resolutions ?? new Map<string, Uint8Array | null>();
  const planned = new Map(proposal.plan.files.map((f) => [f.path, f]));
  for (const path of resolutions.keys()) {
    if (!planned.has(path)) throw new FormatError(`"${path}" is not a file of this update`, undefined, 'resolutions');
  }
  const unresolved = proposal.plan.files.filter((f) => f.kind === 'conflict' && !resolutions.has(f.path)).map((f) => f.path);
  if (unresolved.length > 0 && (opts.conflict ?? 'fail') === 'fail') {
    throw new UpdateConflictError(
      `updating ${proposal.ref} from ${proposal.fromVersion} to ${proposal.toVersion} conflicts in ${unresolved.length === 1 ? '1 file' : `${unresolved.length} files`}: ` +
        `${unresolved.join(', ')}; nothing was written (resolve them, or write conflict markers)`,
      unresolved,
    );
  }

  const files: UpdateEdits['files'] = [];
  const outcomes: UpdateFileOutcome[] = [];
  const conflicts: string[] = [];
  for (const f of proposal.plan.files) {
    const existed = proposal.seen.files[f.path] !== null && proposal.seen.files[f.path] !== undefined;
    const write = (bytes: Uint8Array | null) => {
      // Writing what is already there, or deleting what is not, is no change.
      if (bytes === null ? existed : proposal.seen.files[f.path] !== digestOf(bytes)) files.push({ path: f.path, bytes });
    };
    if (resolutions.has(f.path)) {
      write(resolutions.get(f.path)!);
      outcomes.push({ path: f.path, action: 'resolved', ...(f.kind === 'conflict' ? { reason: f.reason } : {}) });
      continue;
    }
    const settled = settle(f, proposal.labels);
    if (settled.bytes !== undefined) write(settled.bytes);
    outcomes.push(settled.outcome);
    if (f.kind === 'conflict') conflicts.push(f.path);
  }
  const entry: ProvenanceEntry = { ...proposal.next, installedAt: opts.now };
  const record = upsertEntry(opts.record ?? proposal.seen.record, entry);
  return { files, record: { path: PROVENANCE_FILE, bytes: serializeProvenanceBytes(record) }, entry, outcomes, conflicts };
}

/** What one planned file becomes without a resolution; `bytes` undefined = leave it alone. */
function settle(f: FileUpdate, labels: Required<MergeLabels>): { bytes?: Uint8Array | null; outcome: UpdateFileOutcome } {
  const path = f.path;
  switch (f.kind) {
    case 'unchanged':
      return { outcome: { path, action: 'unchanged' } };
    case 'update':
      return { bytes: f.bytes, outcome: { path, action: 'updated' } };
    case 'merged':
      return { bytes: f.bytes, outcome: { path, action: 'merged' } };
    case 'added':
      return { bytes: f.bytes, outcome: { path, action: 'added' } };
    case 'delete':
      return { bytes: null, outcome: { path, action: 'deleted' } };
    case 'keep-ours':
      return { outcome: { path, action: 'kept-local' } };
    case 'keep-deleted':
      return { outcome: { path, action: 'kept-deleted' } };
    case 'conflict': {
      const reason = f.reason;
      if (reason === 'both-modified' && f.merged) return { bytes: f.merged, outcome: { path, action: 'conflict-markers', reason } };
      if (reason === 'no-base' && f.ours && f.theirs) {
        // Both changed it and the old rendering is unknown: the whole file is one conflict, for text.
        const [ours, theirs] = [decodeText(f.ours), decodeText(f.theirs)];
        // (An empty side would merge "cleanly" against the empty base: not a merge, so it stays a conflict.)
        if (ours && theirs) {
          const merged = merge3('', ours, theirs, { labels });
          return { bytes: new TextEncoder().encode(merged.text), outcome: { path, action: 'conflict-markers', reason } };
        }
      }
      if (reason === 'deleted-locally-changed-upstream') return { outcome: { path, action: 'conflict-left-deleted', reason } };
      return { outcome: { path, action: 'conflict-kept-local', reason } };
    }
  }
}
