import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AbortedError, ConflictError, FormatError, NotFoundError, UnsafePackageError } from '../errors';
import { checkEntryPath, collisionKey, type TemplateManifest, type TemplatePackage } from '../format';
import { emptyProvenance, PROVENANCE_FILE, readProvenance, recordFiles, serializeProvenanceBytes, upsertEntry, type ProvenanceEntry } from '../provenance';
import { FileTransaction, recoverInterrupted, type PlannedWrite, type RootLocation } from './fileTransaction';
import { errorCode, lstatIfExists } from './fsUtil';
import { RenderBudget, renderText, resolveVariables } from './variables';

export { MAX_PLACEHOLDERS, MAX_RENDERED_BYTES, renderText, resolveVariables } from './variables';

/** What to do with a destination file that already exists. */
export type ConflictPolicy = 'fail' | 'skip' | 'overwrite';

export interface InstallProgress {
  /** The file just written (staged), relative to the target folder. */
  path: string;
  done: number;
  total: number;
}

export interface InstallOptions {
  /** The workspace folder; the template's own targetFolder is created below it. */
  targetDir: string;
  variables?: Record<string, string>;
  /** Default 'fail': nothing is written if any destination exists. */
  onConflict?: ConflictPolicy;
  /** Cancels the install; a cancelled install leaves the target folder as it was. */
  signal?: AbortSignal;
  /** Called after each file is written, before the install is committed. */
  onProgress?: (progress: InstallProgress) => void;
  /**
   * Records the install in `<targetDir>/.template-marketplace.json`, in the same transaction as the
   * files: the entry (keyed by marketplace id + template id) is added or replaced, with the resolved
   * variable values and the SHA-256 of every file this install wrote or overwrote, plus skipped
   * files that already hold exactly the rendered content. A failed install leaves the record as it was.
   */
  record?: { entry: Omit<ProvenanceEntry, 'files' | 'variables'> };
}

export interface InstallResult {
  /** Absolute path of the template's target folder. */
  targetFolder: string;
  /** Paths relative to targetDir, with "/" separators. */
  written: string[];
  skipped: string[];
  overwritten: string[];
}

interface PlannedFile {
  /** Rendered path relative to the target folder root, "/"-separated, checked. */
  rel: string;
  bytes: Uint8Array;
}

const POLICIES: readonly ConflictPolicy[] = ['fail', 'skip', 'overwrite'];
// ignoreBOM keeps a byte order mark in the text, so rendering gives it back unchanged.
const TEXT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Installs an unpacked package below `opts.targetDir`, all or nothing:
 *
 * 1. variables are resolved and every rendered path (targetFolder + file path) is checked again,
 *    since a value like `../../etc` only appears after substitution;
 * 2. installs into the same folder that a dead process left half done are finished (rolled back
 *    or forward, see fileTransaction.ts), so their temp and backup files never linger;
 * 3. every destination is inspected without following links: a symbolic link on the way is
 *    refused, and existing files are handled by `onConflict` before anything is written. With
 *    'fail', a file that already holds exactly the content the template would write is no
 *    conflict: it is reported as skipped, so re-running an install that was interrupted succeeds;
 * 4. files are written to temp files beside their destination, then moved into place, under a
 *    journal that keeps the install all or nothing even if the process is killed; on any failure
 *    or cancellation what was written is removed and replaced files are restored.
 *
 * A missing target folder (and its missing parents) is created, and removed again if the install
 * fails: an install that fails creates no folder.
 */
export async function installPackage(pkg: TemplatePackage, opts: InstallOptions): Promise<InstallResult> {
  const { signal } = opts;
  const policy = opts.onConflict ?? 'fail';
  if (!POLICIES.includes(policy)) throw new FormatError(`must be one of ${POLICIES.join(', ')}`, undefined, 'onConflict');
  throwIfAborted(signal);

  const values = resolveVariables(pkg.manifest, opts.variables);
  const folder = renderFolder(pkg.manifest, values);
  const files = renderFiles(pkg, folder, values);
  const targetDir = resolve(opts.targetDir);
  const location = await locateRoot(targetDir);
  const root = join(location.base, ...location.missing);
  for (const f of files) assertInside(root, f.rel);
  const rootExists = location.missing.length === 0;
  if (rootExists) {
    const recovery = await recoverInterrupted(root);
    if (recovery.leftovers.length > 0) process.emitWarning(`An interrupted install into ${targetDir} could not be fully undone: ${recovery.leftovers.join(', ')}`);
  }

  const result: InstallResult = { targetFolder: folder ? join(targetDir, ...folder.split('/')) : targetDir, written: [], skipped: [], overwritten: [] };
  const toWrite: PlannedWrite[] = [];
  const existing: string[] = [];
  /** Skipped files that already hold exactly the rendered content: recorded like written ones. */
  const identical: PlannedFile[] = [];
  for (const f of files) {
    const found = rootExists ? await inspectDestination(root, f.rel) : 'absent';
    if (found === 'absent') {
      toWrite.push({ ...f, replace: false });
      result.written.push(f.rel);
    } else if (policy === 'skip') {
      result.skipped.push(f.rel);
      if (opts.record && found === 'file' && (await holdsBytes(join(root, ...f.rel.split('/')), f.bytes))) identical.push(f);
    } else if (policy === 'overwrite') {
      if (found === 'symlink') throw new UnsafePackageError(`${f.rel} is a symbolic link; refusing to replace it`, f.rel);
      toWrite.push({ ...f, replace: true });
      result.overwritten.push(f.rel);
    } else if (found === 'file' && (await holdsBytes(join(root, ...f.rel.split('/')), f.bytes))) {
      result.skipped.push(f.rel); // already exactly what the template would write
      identical.push(f);
    } else {
      existing.push(f.rel);
    }
  }
  if (existing.length > 0) {
    throw new ConflictError(
      `${existing.length === 1 ? 'a file' : `${existing.length} files`} of template "${pkg.manifest.id}" already ${existing.length === 1 ? 'exists' : 'exist'} in ${targetDir}: ${existing.join(', ')}; nothing was written (choose to skip or overwrite them)`,
      existing,
    );
  }
  for (const list of [result.written, result.skipped, result.overwritten]) list.sort();
  const fileCount = toWrite.length;
  if (opts.record) {
    // Read after recovery, so a record an interrupted install left half done is settled first.
    const previous = rootExists ? await readProvenance(root) : undefined;
    const recorded = recordFiles([...toWrite, ...identical].map((f) => ({ path: f.rel, bytes: f.bytes })));
    const record = upsertEntry(previous ?? emptyProvenance(), { ...opts.record.entry, variables: values, files: recorded });
    const replace = rootExists && (await inspectDestination(root, PROVENANCE_FILE)) !== 'absent';
    toWrite.push({ rel: PROVENANCE_FILE, bytes: serializeProvenanceBytes(record), replace });
  }
  if (toWrite.length === 0) return result;

  const tx = new FileTransaction(location);
  try {
    await tx.begin(toWrite);
    for (const [i, f] of toWrite.entries()) {
      throwIfAborted(signal);
      await tx.stage(f.rel, signal);
      if (i < fileCount) opts.onProgress?.({ path: f.rel, done: i + 1, total: fileCount });
    }
    throwIfAborted(signal); // the last chance to cancel: the commit below is a few renames
    await tx.commit();
  } catch (err) {
    const leftovers = await tx.rollback();
    if (leftovers.length > 0) process.emitWarning(`Install of "${pkg.manifest.id}" failed and could not clean up: ${leftovers.join(', ')}`);
    // fs calls cancelled through `signal` reject with a DOMException; report them like any cancellation.
    if (signal?.aborted && !(err instanceof AbortedError)) throw new AbortedError(undefined, { cause: signal.reason });
    throw err;
  }
  return result;
}

/** A package rendered with its variables, nothing written: what an install would produce. */
export interface RenderedPackage {
  /** The rendered targetFolder, "/"-separated, "" for the target folder itself. */
  folder: string;
  /** The resolved value of every variable (given, else default). */
  values: Record<string, string>;
  /** Each file: rendered path relative to the install target ("/"-separated, checked) and content. */
  files: { path: string; bytes: Uint8Array }[];
}

/** Renders paths and contents exactly as `installPackage` would, without touching the disk (previews). */
export function renderPackage(pkg: TemplatePackage, variables: Record<string, string> = {}): RenderedPackage {
  const values = resolveVariables(pkg.manifest, variables);
  const folder = renderFolder(pkg.manifest, values);
  return { folder, values, files: renderFiles(pkg, folder, values).map((f) => ({ path: f.rel, bytes: f.bytes })) };
}

/** What an install into `targetDir` would do to each file: create it, or meet an existing file or link. */
export interface InstallPlan extends RenderedPackage {
  targetDir: string;
  files: { path: string; bytes: Uint8Array; existing: 'absent' | 'file' | 'symlink' }[];
}

/** `renderPackage` plus a look at each destination, so a UI can show conflicts before asking. */
export async function planInstall(pkg: TemplatePackage, targetDir: string, variables: Record<string, string> = {}): Promise<InstallPlan> {
  const rendered = renderPackage(pkg, variables);
  const location = await locateRoot(resolve(targetDir));
  const root = join(location.base, ...location.missing);
  const files: InstallPlan['files'] = [];
  for (const f of rendered.files) {
    assertInside(root, f.path);
    files.push({ ...f, existing: location.missing.length > 0 ? 'absent' : await inspectDestination(root, f.path) });
  }
  return { ...rendered, targetDir: resolve(targetDir), files };
}

/** The rendered targetFolder, "" for the workspace folder itself. */
function renderFolder(manifest: TemplateManifest, values: Record<string, string>): string {
  if (manifest.targetFolder === '.') return '';
  const folder = renderText(manifest.targetFolder, values);
  const problem = checkEntryPath(folder);
  if (problem) throw new UnsafePackageError(`targetFolder "${manifest.targetFolder}" renders to "${folder}": ${problem}`, folder);
  return folder.replace(/\/$/, '');
}

/** Every file with its rendered, checked path and its rendered content. */
function renderFiles(pkg: TemplatePackage, folder: string, values: Record<string, string>): PlannedFile[] {
  const files: PlannedFile[] = [];
  const budget = new RenderBudget();
  const fileKeys = new Map<string, string>();
  const folderKeys = new Set<string>();
  for (const [path, bytes] of pkg.files) {
    const rendered = renderText(path, values);
    const rel = folder ? `${folder}/${rendered}` : rendered;
    const problem = rel.endsWith('/') ? 'the path names a folder, not a file' : checkEntryPath(rel);
    if (problem) throw new UnsafePackageError(`"${path}" renders to "${rel}": ${problem}`, rel);
    // Case- and normalization-insensitive file systems (Windows, macOS) would write both to one place.
    const key = collisionKey(rel);
    const other = fileKeys.get(key);
    if (other !== undefined) throw new UnsafePackageError(`"${other}" and "${path}" both render to "${rel}"`, rel);
    fileKeys.set(key, path);
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) folderKeys.add(parts.slice(0, i).join('/'));
    files.push({ rel, bytes: renderContent(bytes, values, budget) });
  }
  for (const [key, path] of fileKeys) {
    if (folderKeys.has(key)) throw new UnsafePackageError(`"${path}" renders to a path that another file needs as a folder`, path);
  }
  return files;
}

/** Text (valid UTF-8 without NUL) gets its placeholders filled; anything else is copied byte for byte. */
function renderContent(bytes: Uint8Array, values: Record<string, string>, budget: RenderBudget): Uint8Array {
  let text: string | undefined;
  if (!bytes.includes(0)) {
    try {
      text = TEXT.decode(bytes);
    } catch {
      // not UTF-8: copied as is
    }
  }
  if (text === undefined) {
    budget.charge(bytes.length);
    return bytes;
  }
  const rendered = renderText(text, values, budget, bytes.length);
  return rendered === text ? bytes : new TextEncoder().encode(rendered);
}

/**
 * Where the target folder is: its real path when it exists, else the real path of its deepest
 * existing parent and the folder names to create below it.
 */
async function locateRoot(targetDir: string): Promise<RootLocation> {
  const missing: string[] = [];
  let dir = targetDir;
  for (;;) {
    let real: string | undefined;
    try {
      real = await realpath(dir);
    } catch (err) {
      if (errorCode(err) === 'ENOTDIR') throw new NotFoundError(`The target ${targetDir} is below a file, not a folder.`);
      if (errorCode(err) !== 'ENOENT') throw err;
    }
    if (real !== undefined) {
      if (!(await stat(real)).isDirectory()) throw new NotFoundError(`The target ${dir} is not a folder.`);
      return { base: real, missing };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new NotFoundError(`The target folder ${targetDir} cannot be created.`);
    missing.unshift(basename(dir));
    dir = parent;
  }
}

/** Whether the regular file at `path` holds exactly `bytes` (read without following a symlink). */
async function holdsBytes(path: string, bytes: Uint8Array): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size !== bytes.length) return false;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(await handle.readFile());
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** Belt and braces after checkEntryPath: the resolved path must lie strictly inside the root. */
function assertInside(root: string, rel: string): void {
  const inside = relative(root, resolve(root, ...rel.split('/')));
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new UnsafePackageError(`${rel} resolves outside the target folder`, rel);
  }
}

/**
 * What is at `rel` below the root, looking at each component with lstat: a symbolic link on the
 * way is refused outright (a linked folder could point anywhere), a file where a folder is needed
 * or a folder where the file goes is a conflict no policy can settle.
 */
async function inspectDestination(root: string, rel: string): Promise<'absent' | 'file' | 'symlink'> {
  const segments = rel.split('/');
  let path = root;
  for (const [i, segment] of segments.entries()) {
    path = join(path, segment);
    const stats = await lstatIfExists(path);
    const isLast = i === segments.length - 1;
    if (!stats) return 'absent';
    if (stats.isSymbolicLink()) {
      if (isLast) return 'symlink';
      throw new UnsafePackageError(`${rel}: refusing to write through the symbolic link ${path}`, rel);
    }
    if (isLast && stats.isDirectory()) throw new ConflictError(`${rel} is an existing folder; the template has a file there`, [rel]);
    if (!isLast && !stats.isDirectory()) throw new ConflictError(`${rel}: ${path} is a file where the template needs a folder`, [rel]);
  }
  return 'file';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
}
