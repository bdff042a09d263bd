import { realpath, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ListedTemplate } from '../catalog/types';
import {
  AbortedError,
  MarketplaceError,
  NotFoundError,
  UnsafePackageError,
  UpdateStaleError,
  UpdateVariablesError,
  type UpdateVariableQuestion,
} from '../errors';
import { checkEntryPath, compileVariablePattern, LIMITS, readPackage, type TemplateManifest, type TemplatePackage } from '../format';
import { FileTransaction, recoverInterrupted, type PlannedChange } from '../install/fileTransaction';
import { renderPackage } from '../install/installer';
import {
  digestOf,
  findEntry,
  keyOf,
  normalizeRecordPath,
  PROVENANCE_FILE,
  readProvenance,
  type ProvenanceEntry,
  type ProvenanceRecord,
} from '../provenance';
import { packagePath } from '../publish/layout';
import { compareSemver } from '../publish/semver';
import { planUpdate } from '../update/plan';
import { computeUpdateEdits, type UpdateFileOutcome, type UpdateProposal } from '../update/proposal';
import { throwIfAborted } from '../util/abort';
import { displayText } from '../util/displayText';
import type { Verifier } from '../verify/verifier';
import { digestInside, readInside } from './installedFiles';
import type { PackageSource } from './packageStore';
import { fetchRecordedPackage } from './recordedPackage';

/** Largest file on disk an update reads to merge (a template file is at most 32 MiB unpacked). */
const MAX_LOCAL_FILE_BYTES = 2 * LIMITS.maxUnpackedBytes;

/** What the update code needs of the client. */
export interface UpdateDeps {
  /** The catalog's current version of a template, opened and verified exactly like an install; NotFoundError when not listed. */
  openLatest(ref: string, signal: AbortSignal | undefined): Promise<{ pkg: TemplatePackage; template: ListedTemplate; source: PackageSource }>;
  /** What a record entry says about a package installed now (marketplace, template, times). */
  recordEntry(template: ListedTemplate): Omit<ProvenanceEntry, 'files' | 'variables'>;
  verifier: Verifier;
  now(): number;
}

export interface PrepareUpdateOptions {
  /**
   * Templates to update: template ids or `<source>/<id>` keys of the record. Default: every recorded
   * template with a newer catalog version. A named template that is up to date yields no proposal;
   * one that is not recorded, or no longer in its catalog, is a NotFoundError.
   */
  ids?: readonly string[];
  /** Answers that override recorded ones, and answer variables the new version added. */
  variables?: Record<string, string>;
  /**
   * Let a variable the new version added take its default when `variables` has no answer for it
   * (the CLI does, as install does). Default false: any new variable is asked about, so a UI can
   * show it with its default filled in.
   */
  acceptDefaults?: boolean;
  signal?: AbortSignal;
}

export interface ApplyUpdateOptions {
  /** Content chosen for a planned (normally conflicting) path; null deletes it. */
  resolutions?: ReadonlyMap<string, Uint8Array | null>;
  /** Unresolved conflicts: 'fail' (default) writes nothing and throws E_UPDATE_CONFLICT; 'markers', see computeUpdateEdits. */
  conflict?: 'markers' | 'fail';
  signal?: AbortSignal;
}

export interface UpdateResult {
  dir: string;
  ref: string;
  fromVersion: string;
  toVersion: string;
  /** What happened to every planned path, sorted by path. */
  files: UpdateFileOutcome[];
  /** Conflicting paths left unresolved (markers written, or the local state kept). */
  conflicts: string[];
  /** The record entry as written. */
  entry: ProvenanceEntry;
}

/**
 * One proposal per recorded template that the catalog has a newer version of (see
 * PrepareUpdateOptions.ids). For each: the new package is opened like an install (trusted catalog,
 * size, digest, signature); the recorded version's package is fetched from its versioned path and
 * used as the merge base only if it matches the recorded SHA-256 and signature; both are rendered,
 * the files on disk read, and `planUpdate` decides per file. Nothing is written except the
 * recovery of an update or install a dead process left half done (so the folder read is settled).
 */
export async function prepareUpdates(deps: UpdateDeps, dir: string, opts: PrepareUpdateOptions = {}): Promise<UpdateProposal[]> {
  throwIfAborted(opts.signal);
  const root = await realpath(resolve(dir));
  await recover(root);
  const record = await readProvenance(root);
  const proposals: UpdateProposal[] = [];
  for (const { entry, named } of selectEntries(record, opts.ids, root)) {
    throwIfAborted(opts.signal);
    let latest: Awaited<ReturnType<UpdateDeps['openLatest']>>;
    try {
      latest = await deps.openLatest(keyOf(entry), opts.signal);
    } catch (err) {
      if (err instanceof NotFoundError && !named) continue; // not in the catalog any more: nothing to update to
      throw err;
    }
    if (compareSemver(latest.template.version, entry.template.version) <= 0) continue;
    proposals.push(await prepareOne(deps, root, record, entry, latest, opts));
  }
  return proposals;
}

function selectEntries(record: ProvenanceRecord, ids: readonly string[] | undefined, root: string): { entry: ProvenanceEntry; named: boolean }[] {
  if (ids === undefined) return record.entries.map((entry) => ({ entry, named: false }));
  return ids.map((id) => {
    const matches = record.entries.filter((e) => keyOf(e) === id || e.template.id === id);
    if (matches.length === 0) throw new NotFoundError(`no template "${displayText(id, { maxLength: 200 })}" is recorded in ${join(root, PROVENANCE_FILE)}`);
    if (matches.length > 1) throw new NotFoundError(`"${id}" is recorded from several marketplaces in ${root}; name it as ${matches.map(keyOf).join(' or ')}`);
    return { entry: matches[0]!, named: true };
  });
}

async function prepareOne(
  deps: UpdateDeps,
  root: string,
  record: ProvenanceRecord,
  entry: ProvenanceEntry,
  latest: Awaited<ReturnType<UpdateDeps['openLatest']>>,
  opts: PrepareUpdateOptions,
): Promise<UpdateProposal> {
  const { pkg, template, source } = latest;
  const { answers, added } = answersFor(entry, pkg.manifest, opts);
  const rendered = renderPackage(pkg, answers);
  const newRendering = new Map(rendered.files.map((f) => [normalizeRecordPath(f.path), f.bytes]));
  const old = await renderRecorded(deps, entry, source, opts.signal);

  const paths = new Set([...entry.files.map((f) => f.path), ...newRendering.keys()]);
  const current = new Map<string, Uint8Array | undefined>();
  const seenFiles: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  for (const path of paths) {
    throwIfAborted(opts.signal);
    const bytes = await readInside(root, path, MAX_LOCAL_FILE_BYTES);
    current.set(path, bytes);
    seenFiles[path] = bytes ? digestOf(bytes) : null;
  }
  const labels = { ours: 'local', base: `${entry.template.id} ${entry.template.version}`, theirs: `${template.id} ${template.version}` };
  const plan = planUpdate({
    recorded: entry.files,
    current,
    oldRendering: old.ok ? old.files : new Map(),
    newRendering,
    merge: { labels },
  });
  const { installedAt: _at, ...recorded } = deps.recordEntry(template);
  return {
    dir: root,
    sourceId: entry.marketplace.id,
    templateId: entry.template.id,
    ref: keyOf(entry),
    fromVersion: entry.template.version,
    toVersion: template.version,
    variables: rendered.values,
    newVariables: added,
    plan,
    base: old.ok ? { ok: true } : { ok: false, reason: old.reason },
    labels,
    seen: { entry, record, files: seenFiles },
    next: { ...recorded, variables: rendered.values, files: plan.recordFiles },
  };
}

/**
 * The answers to render the new version with: given ones, else recorded ones, else (for a variable
 * the new version added, with acceptDefaults) its default. A new variable without an answer, or a
 * recorded answer the new pattern refuses, is an UpdateVariablesError listing every such variable.
 * Recorded answers to variables the new version dropped are left out. Given values are checked by
 * the rendering (pattern, unknown names), as for an install.
 */
function answersFor(entry: ProvenanceEntry, manifest: TemplateManifest, opts: PrepareUpdateOptions): { answers: Record<string, string>; added: string[] } {
  const given = opts.variables ?? {};
  const answers: Record<string, string> = Object.create(null) as Record<string, string>;
  const questions: UpdateVariableQuestion[] = [];
  const added: string[] = [];
  for (const [name, value] of Object.entries(given)) answers[name] = value;
  for (const v of manifest.variables) {
    const question = { name: v.name, prompt: v.prompt, ...(v.default !== undefined ? { default: v.default } : {}), ...(v.pattern !== undefined ? { pattern: v.pattern } : {}) };
    const isNew = !Object.hasOwn(entry.variables, v.name);
    if (isNew) added.push(v.name);
    if (Object.hasOwn(given, v.name)) continue;
    if (!isNew) {
      const recorded = entry.variables[v.name]!;
      if (v.pattern !== undefined && !compileVariablePattern(v.pattern).test(recorded)) questions.push({ ...question, reason: 'invalid', recorded });
      else answers[v.name] = recorded;
    } else if (v.default === undefined || !opts.acceptDefaults) {
      questions.push({ ...question, reason: 'new' });
    }
  }
  if (questions.length > 0) {
    const list = questions.map((q) => `"${q.name}" (${q.prompt}${q.reason === 'invalid' ? `; the recorded ${JSON.stringify(q.recorded)} does not match ${q.pattern}` : ''})`).join(', ');
    throw new UpdateVariablesError(
      `${manifest.id} ${manifest.version} needs ${questions.length === 1 ? 'an answer' : 'answers'} the record does not have: ${list}; give ${questions.length === 1 ? 'it' : 'them'} and prepare the update again`,
      manifest.id,
      questions,
    );
  }
  return { answers, added };
}

type OldRendering = { ok: true; files: Map<string, Uint8Array> } | { ok: false; reason: string };

/**
 * The recorded version rendered with the recorded answers: the merge base. Its package is taken
 * from the marketplace's versioned path only if it is exactly the recorded package (SHA-256) signed
 * by the recorded publisher with a key the current trusted catalog lists. Anything else (gone,
 * tampered, unparsable) leaves the update without a base, which costs merges, never correctness.
 */
async function renderRecorded(deps: UpdateDeps, entry: ProvenanceEntry, source: PackageSource, signal: AbortSignal | undefined): Promise<OldRendering> {
  const { id, version, publisherKeyId } = entry.template;
  const what = `the installed version (${id} ${version})`;
  const publicKey = source.publisherKeys.get(publisherKeyId);
  if (!publicKey) return { ok: false, reason: `${what} was signed by publisher key ${publisherKeyId.slice(0, 12)}…, which the catalog no longer lists` };
  try {
    const recorded = await fetchRecordedPackage({ verifier: deps.verifier, fetcher: source.fetcher }, entry, publicKey, packagePath(id, version), signal);
    if ('status' in recorded) return { ok: false, reason: `${what}: unexpected ${recorded.status}` };
    if ('error' in recorded) return { ok: false, reason: `${what} on the marketplace is not the recorded package: ${recorded.error.message}` };
    const pkg = readPackage(recorded.bytes, `${id} ${version}`);
    if (pkg.manifest.id !== id || pkg.manifest.version !== version) return { ok: false, reason: `${what}: the package says it is ${pkg.manifest.id} ${pkg.manifest.version}` };
    const rendered = renderPackage(pkg, entry.variables);
    return { ok: true, files: new Map(rendered.files.map((f) => [normalizeRecordPath(f.path), f.bytes])) };
  } catch (err) {
    if (err instanceof AbortedError || signal?.aborted) throw err;
    const message = err instanceof MarketplaceError ? `error[${err.code}]: ${err.message}` : String((err as Error)?.message ?? err);
    return { ok: false, reason: `${what} is not available: ${displayText(message, { maxLength: 300 })}` };
  }
}

/**
 * Refuses (UpdateStaleError) when the record entry or any planned file is not as it was when the
 * proposal was prepared. `record` is the record as read now.
 */
export async function assertUpdateFresh(proposal: UpdateProposal, record?: ProvenanceRecord): Promise<void> {
  const now = record ?? (await readProvenance(proposal.dir));
  const changed: string[] = [];
  const entry = findEntry(now, proposal.sourceId, proposal.templateId);
  if (!entry || JSON.stringify(entry) !== JSON.stringify(proposal.seen.entry)) changed.push(PROVENANCE_FILE);
  for (const [path, digest] of Object.entries(proposal.seen.files)) {
    if (((await digestInside(proposal.dir, path)) ?? null) !== digest) changed.push(path);
  }
  if (changed.length > 0) {
    throw new UpdateStaleError(
      `${changed.length === 1 ? 'a file' : `${changed.length} files`} changed in ${proposal.dir} since the update of ${proposal.ref} was prepared: ` +
        `${changed.join(', ')}; nothing was written (prepare the update again)`,
      changed,
    );
  }
}

/**
 * Writes a proposal: the files (computeUpdateEdits) and the updated record, in one FileTransaction,
 * so a crash at any instant leaves the folder as it was or fully updated (the next update,
 * install or prepareUpdate finishes or undoes it). Refuses with UpdateStaleError when the folder
 * changed since the proposal was prepared.
 */
export async function applyUpdate(deps: UpdateDeps, proposal: UpdateProposal, opts: ApplyUpdateOptions = {}): Promise<UpdateResult> {
  const { signal } = opts;
  throwIfAborted(signal);
  const root = proposal.dir;
  await recover(root);
  const record = await readProvenance(root);
  await assertUpdateFresh(proposal, record);
  const edits = computeUpdateEdits(proposal, {
    ...(opts.resolutions ? { resolutions: opts.resolutions } : {}),
    conflict: opts.conflict ?? 'fail',
    // The record as it is now: another template's update applied since is kept.
    record,
    now: new Date(deps.now()).toISOString(),
  });
  const changes: PlannedChange[] = edits.files.map((f) => {
    const problem = checkEntryPath(f.path);
    if (problem) throw new UnsafePackageError(`${f.path}: ${problem}`, f.path);
    const seen = proposal.seen.files[f.path] ?? undefined;
    const expect = seen !== undefined ? { expect: seen } : {};
    return f.bytes === null ? { rel: f.path, delete: true, ...expect } : { rel: f.path, bytes: f.bytes, replace: seen !== undefined, ...expect };
  });
  changes.push({ rel: PROVENANCE_FILE, bytes: edits.record.bytes, replace: true });

  const tx = new FileTransaction({ base: root, missing: [] });
  try {
    await tx.begin(changes);
    for (const c of changes) {
      throwIfAborted(signal);
      await tx.stage(c.rel, signal);
    }
    throwIfAborted(signal);
    await tx.commit();
  } catch (err) {
    const leftovers = await tx.rollback();
    if (leftovers.length > 0) process.emitWarning(`The update of ${proposal.ref} failed and could not clean up: ${leftovers.join(', ')}`);
    if (signal?.aborted && !(err instanceof AbortedError)) throw new AbortedError(undefined, { cause: signal.reason });
    throw err;
  }
  await pruneEmptyFolders(root, edits.files.filter((f) => f.bytes === null).map((f) => f.path));
  return {
    dir: root,
    ref: proposal.ref,
    fromVersion: proposal.fromVersion,
    toVersion: proposal.toVersion,
    files: edits.outcomes,
    conflicts: edits.conflicts,
    entry: edits.entry,
  };
}

/** Folders that deleting files emptied go too, like `git rm` (never the root, never a non-empty one). */
async function pruneEmptyFolders(root: string, deleted: readonly string[]): Promise<void> {
  for (const path of deleted) {
    let dir = dirname(join(root, ...path.split('/')));
    while (dir.length > root.length && dir.startsWith(root)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
      dir = dirname(dir);
    }
  }
}

async function recover(root: string): Promise<void> {
  const recovery = await recoverInterrupted(root);
  if (recovery.leftovers.length > 0) process.emitWarning(`An interrupted install or update in ${root} could not be fully undone: ${recovery.leftovers.join(', ')}`);
}
