import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readdir, readFile, realpath, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConflictError, UnsafePackageError } from '../errors';
import { checkEntryPath } from '../format/safePath';
import { PROVENANCE_FILE } from '../provenance/types';
import { errorCode, lstatIfExists, samePath } from './fsUtil';

/**
 * Writes a set of files below a root folder all or nothing, and stays all or nothing across a
 * crash (SIGKILL, power cut aside) at any instant.
 *
 * Protocol, each step safe to interrupt:
 *
 * 1. `begin` creates the root folder if needed, then writes a **journal** into it
 *    (`.template-install-<pid>-<random>.json`, atomically: temp file + rename) naming every temp
 *    and backup file the transaction may create and every folder it will create.
 * 2. `stage` writes each file to its temp file beside the destination (`.template-<random>.tmp`).
 * 3. `commit` moves each file into place. A replaced file is first hard-linked to its backup name,
 *    then the temp file is renamed over it: the destination always holds the old or the new
 *    content, never nothing. A new file is hard-linked from its temp file, which fails instead of
 *    replacing a file someone created meanwhile. When every file is in place the journal is marked
 *    `committed`, then backups and the journal are removed. A deleted file (updates) is renamed to
 *    its backup name: rolled back, the backup comes back; rolled forward, it is removed.
 *
 * `recoverInterrupted(root)`, run by every install before it looks at the destinations, finishes
 * what a dead process left: a `committed` journal is rolled forward (backups and temps removed),
 * any other is rolled back (backups renamed over their destinations, new files whose content is
 * the journal's removed, temps removed, created folders removed when empty). So the next run sees
 * the folder as it was before the interrupted install, or as it was after it, and no leftovers.
 *
 * Nothing is flushed to disk (no fsync): the guarantee covers a process that dies, not a machine
 * that loses power, where the file system's own ordering decides.
 */

interface JournalFile {
  /** Destination, relative to the root, "/"-separated. */
  rel: string;
  /** Names (no folder) of the temp and backup files, beside the destination. */
  temp: string;
  backup?: string;
  /** Hex SHA-256 of the new content: a destination holding it after a crash is ours to remove. */
  sha256: string;
  /**
   * The file is removed rather than written (always with a backup). Recovery needs no special
   * case: a staging journal restores the backup, a committed one removes it.
   */
  delete?: true;
}

interface Journal {
  v: 1;
  pid: number;
  host: string;
  startedAt: number;
  phase: 'staging' | 'committed';
  /** Folders below the root this transaction creates, relative, parents first. */
  dirs: string[];
  /** How many levels of the root and its parents this transaction created (the root itself first). */
  createdAbove: number;
  files: JournalFile[];
}

export interface PlannedWrite {
  /** "/"-separated path below the root, already checked. */
  rel: string;
  bytes: Uint8Array;
  /** Replace an existing file (keeping a backup until commit) rather than create a new one. */
  replace: boolean;
  /** With `replace`: the SHA-256 the file must still have when it is replaced (else the commit fails, restoring everything). */
  expect?: string;
}

/** A file to remove (an update deleting what a template no longer has); a missing file is fine. */
export interface PlannedDelete {
  rel: string;
  delete: true;
  /** The SHA-256 the file must still have when it is removed, as for PlannedWrite. */
  expect?: string;
}

export type PlannedChange = PlannedWrite | PlannedDelete;

const isDelete = (c: PlannedChange): c is PlannedDelete => 'delete' in c && c.delete;

/** Where the root folder is, or will be: an existing real folder plus the names to create below it. */
export interface RootLocation {
  /** Real path (fs.realpath) of the deepest existing folder. */
  base: string;
  /** Folders to create below `base` to reach the root; empty when the root exists. */
  missing: readonly string[];
}

/** Error codes of file systems without hard links, where moves fall back to check-then-rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EXDEV', 'EMLINK']);
const JOURNAL_NAME = /^\.template-install-(\d+)-[0-9a-f]{12}\.json$/;
/** A journal being written (`.tmp`) or being recovered by another process (`.recovering-<pid>`). */
const JOURNAL_SIDE = /^(\.template-install-\d+-[0-9a-f]{12}\.json)\.(?:tmp|recovering-(\d+))$/;
/** A journal from another machine (a shared folder) is left alone this long: its owner may be alive. */
const FOREIGN_JOURNAL_MS = 24 * 60 * 60 * 1000;

export class FileTransaction {
  readonly #location: RootLocation;
  readonly #root: string;
  #journal: Journal | undefined;
  #journalPath: string | undefined;
  /** Index in the journal's files of each staged destination. */
  readonly #planned = new Map<string, { file: JournalFile; write: PlannedChange }>();
  #done = false;
  /** The root and parents this transaction created, parents first (rollback removes them while empty). */
  readonly #createdChain: string[] = [];

  constructor(location: RootLocation) {
    this.#location = location;
    this.#root = join(location.base, ...location.missing);
  }

  get root(): string {
    return this.#root;
  }

  /** Creates the root if needed and journals every file, folder, temp and backup name before anything else is written. */
  async begin(writes: readonly PlannedChange[]): Promise<void> {
    const journal: Journal = {
      v: 1, pid: process.pid, host: hostname(), startedAt: Date.now(), phase: 'staging', dirs: [], createdAbove: 0, files: [],
    };
    this.#journal = journal;
    await this.#createRoot(journal);
    const dirs = new Set<string>();
    for (const w of writes) {
      const segments = w.rel.split('/');
      for (let i = 1; i < segments.length; i++) {
        const dir = segments.slice(0, i).join('/');
        if (dirs.has(dir)) continue;
        if (journal.createdAbove > 0 || !(await lstatIfExists(join(this.#root, ...dir.split('/'))))) {
          dirs.add(dir);
          journal.dirs.push(dir);
        }
      }
      // A deleted file's "new content" is nothing: a digest no file has (of the empty input would be wrong).
      const sha256 = isDelete(w) ? '0'.repeat(64) : createHash('sha256').update(w.bytes).digest('hex');
      const file: JournalFile = { rel: w.rel, temp: tempName('tmp'), sha256 };
      if (isDelete(w)) file.delete = true;
      if (isDelete(w) || w.replace) file.backup = tempName('bak');
      journal.files.push(file);
      this.#planned.set(w.rel, { file, write: w });
    }
    this.#journalPath = join(this.#root, `.template-install-${process.pid}-${randomBytes(6).toString('hex')}.json`);
    await writeJournal(this.#journalPath, journal);
  }

  /** Writes the file planned for `rel` to its temp file, creating missing folders one level at a time and refusing symbolic links. */
  async stage(rel: string, signal?: AbortSignal): Promise<void> {
    const planned = this.#planned.get(rel);
    if (!planned) throw new Error(`${rel} was not planned`);
    if (isDelete(planned.write)) return; // nothing to stage: the commit moves the file to its backup name
    const segments = rel.split('/');
    const dir = await this.#ensureDir(segments.slice(0, -1), rel);
    // 'wx' (O_CREAT | O_EXCL) never opens an existing path, so it cannot follow a planted symlink.
    await writeFile(join(dir, planned.file.temp), planned.write.bytes, { flag: 'wx', signal });
  }

  /** Moves every staged file into place. If it throws, `rollback()` restores the state before `begin`. */
  async commit(): Promise<void> {
    for (const { file, write } of this.#planned.values()) {
      const target = join(this.#root, ...file.rel.split('/'));
      // An update read the file before: someone saving it since must not lose the save.
      if (write.expect !== undefined && !(await holdsContent(target, write.expect))) {
        throw new ConflictError(`${file.rel} changed while it was being updated; nothing was written`, [file.rel]);
      }
      if (isDelete(write)) {
        await moveAside(target, file);
        continue;
      }
      await this.#assertFolderUnchanged(file.rel, dirname(target));
      if (write.replace) await moveReplacing(target, file);
      else await moveNoReplace(target, file);
    }
    this.#journal!.phase = 'committed';
    await writeJournal(this.#journalPath!, this.#journal!);
    this.#done = true;
    // From here on the install has happened; what follows is cleanup, which recovery would redo.
    await applyJournal(this.#root, this.#journal!).catch(() => undefined);
    await rm(this.#journalPath!, { force: true }).catch(() => undefined);
  }

  /**
   * Undoes everything this transaction did, as far as possible, and returns the paths it could
   * not clean up or restore (normally none). A no-op after a successful commit.
   */
  async rollback(): Promise<string[]> {
    if (this.#done) return [];
    this.#done = true;
    const journal = this.#journal;
    if (!journal) return [];
    const leftovers = await applyJournal(this.#root, journal);
    for (const path of this.#journalPath ? [this.#journalPath, `${this.#journalPath}.tmp`] : []) {
      await rm(path, { force: true }).catch(() => leftovers.push(path));
    }
    for (const dir of this.#createdChain.reverse()) {
      try {
        await rmdir(dir);
      } catch {
        break; // not empty (someone used it) or gone: its parents stay too
      }
    }
    return leftovers;
  }

  /** Creates the missing folders down to the root, refusing symlinks, counting in `createdAbove` as it goes. */
  async #createRoot(journal: Journal): Promise<void> {
    let dir = this.#location.base;
    for (const segment of this.#location.missing) {
      dir = join(dir, segment);
      if (await makeDir(dir, segment)) {
        this.#createdChain.push(dir);
        journal.createdAbove++;
      } else {
        journal.createdAbove = 0;
      }
    }
  }

  /** Walks down from the root, creating what is missing and refusing symlinks and files on the way. */
  async #ensureDir(segments: readonly string[], rel: string): Promise<string> {
    let dir = this.#root;
    for (const segment of segments) {
      dir = join(dir, segment);
      await makeDir(dir, rel);
    }
    return dir;
  }

  /** The folder must still resolve to itself: no symlink swapped in anywhere above it since staging. */
  async #assertFolderUnchanged(rel: string, dir: string): Promise<void> {
    if (!samePath(await realpath(dir), dir)) throw symlinkRefused(rel, dir);
  }
}

/** Creates one folder if missing (true when this call created it); a symlink or file there is refused. */
async function makeDir(dir: string, rel: string): Promise<boolean> {
  let stats = await lstatIfExists(dir);
  let created = false;
  if (!stats) {
    try {
      await mkdir(dir);
      created = true;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err; // created by someone else meanwhile: check it below
    }
    stats = await lstat(dir);
  }
  if (stats.isSymbolicLink()) throw symlinkRefused(rel, dir);
  if (!stats.isDirectory()) throw new ConflictError(`${rel}: ${dir} is a file where the template needs a folder`, [rel]);
  return created;
}

/** Keeps the old file as a backup (a second name for it), then renames the new one over it. */
async function moveReplacing(target: string, file: JournalFile): Promise<void> {
  const dir = dirname(target);
  const backup = join(dir, file.backup!);
  try {
    await link(target, backup);
  } catch (err) {
    const code = errorCode(err) ?? '';
    if (code === 'ENOENT') {
      // The file went away meanwhile: nothing to keep.
    } else if (NO_HARD_LINKS.has(code)) {
      // A copy under a temporary name first, so a crash never leaves a partial backup to restore.
      const partial = `${backup}.partial`;
      await copyFile(target, partial, constants.COPYFILE_EXCL);
      await rename(partial, backup);
    } else {
      throw err;
    }
  }
  await rename(join(dir, file.temp), target);
}

/**
 * Removes a file by renaming it to its backup name (atomic, and undone by renaming it back). A
 * folder that is gone, or became a link, holds nothing of ours to delete: that path is left alone.
 */
async function moveAside(target: string, file: JournalFile): Promise<void> {
  const dir = dirname(target);
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return;
    throw err;
  }
  if (!samePath(real, dir)) throw symlinkRefused(file.rel, dir);
  try {
    await rename(target, join(dir, file.backup!));
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
}

/**
 * Moves the temp file to a target that must not exist. A hard link fails with EEXIST instead of
 * replacing, so a file someone created after the conflict check is never clobbered.
 */
async function moveNoReplace(target: string, file: JournalFile): Promise<void> {
  const temp = join(dirname(target), file.temp);
  const createdMeanwhile = () => new ConflictError(`${file.rel} was created by someone else during the install`, [file.rel]);
  try {
    await link(temp, target);
  } catch (err) {
    if (errorCode(err) === 'EEXIST') throw createdMeanwhile();
    if (!NO_HARD_LINKS.has(errorCode(err) ?? '')) throw err;
    if (await lstatIfExists(target)) throw createdMeanwhile();
    await rename(temp, target);
    return;
  }
  await unlink(temp);
}

/**
 * Brings the files a journal names to its outcome: forward when it is `committed` (only backups
 * and temps go), back otherwise. Every step tolerates having been done already, so recovering a
 * recovery is fine. Returns the paths it could not restore or remove.
 */
async function applyJournal(root: string, journal: Journal): Promise<string[]> {
  const leftovers: string[] = [];
  const attempt = async (path: string, undo: () => Promise<unknown>) => {
    try {
      await undo();
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') leftovers.push(path);
    }
  };
  for (const file of [...journal.files].reverse()) {
    const target = join(root, ...file.rel.split('/'));
    const dir = dirname(target);
    const temp = join(dir, file.temp);
    const backup = file.backup ? join(dir, file.backup) : undefined;
    if (journal.phase === 'staging') {
      if (backup && (await lstatIfExists(backup).catch(() => undefined))) {
        // Atomic: the destination goes from new (or old) straight to old, never missing.
        await attempt(target, () => rename(backup, target));
      } else if (!file.backup && (await holdsContent(target, file.sha256))) {
        await attempt(target, () => rm(target, { force: true }));
      }
    }
    await attempt(temp, () => rm(temp, { force: true }));
    // After a rename between two names of one file (nothing to restore), the backup name remains.
    if (backup) {
      await attempt(backup, () => rm(backup, { force: true }));
      await attempt(`${backup}.partial`, () => rm(`${backup}.partial`, { force: true }));
    }
  }
  if (journal.phase === 'staging') {
    for (const dir of [...journal.dirs].reverse()) {
      // Only while empty: someone may have used the folder since.
      await rmdir(join(root, ...dir.split('/'))).catch((err: unknown) => {
        const code = errorCode(err);
        if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') leftovers.push(dir);
      });
    }
  }
  return leftovers;
}

/** Whether `path` is a regular file whose SHA-256 is `sha256` (read without following a symlink). */
async function holdsContent(path: string, sha256: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    if (!(await handle.stat()).isFile()) return false;
    return createHash('sha256').update(await handle.readFile()).digest('hex') === sha256;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** Removes the root and the parents a rolled-back transaction created, while they are empty. */
async function removeCreatedAbove(root: string, levels: number): Promise<void> {
  let dir = root;
  for (let i = 0; i < levels; i++) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

/** Replaces the journal atomically: readers see the previous version or this one. */
async function writeJournal(path: string, journal: Journal): Promise<void> {
  const temp = `${path}.tmp`;
  await rm(temp, { force: true });
  await writeFile(temp, JSON.stringify(journal), { flag: 'wx' });
  await rename(temp, path);
}

export interface RecoveryReport {
  /** Journals of dead installs that were rolled back or forward. */
  recovered: number;
  /** Paths that could not be restored or removed. */
  leftovers: string[];
}

/**
 * Finishes the installs into `root` that a dead process left half done (see the protocol atop
 * this file). Journals of live processes on this machine, and recent ones of other machines, are
 * left alone. A missing root is fine: nothing to do.
 */
export async function recoverInterrupted(root: string): Promise<RecoveryReport> {
  const report: RecoveryReport = { recovered: 0, leftovers: [] };
  let names: string[];
  try {
    names = await readdir(root);
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return report;
    throw err;
  }
  for (const name of names) {
    const side = JOURNAL_SIDE.exec(name);
    if (side) {
      await recoverSide(root, name, side[1]!, side[2], report);
      continue;
    }
    const owner = JOURNAL_NAME.exec(name);
    if (owner) await recoverJournal(root, name, report);
  }
  return report;
}

async function recoverJournal(root: string, name: string, report: RecoveryReport): Promise<void> {
  const path = join(root, name);
  const journal = await readJournal(path);
  if (journal && isOwnerAlive(journal)) return;
  if (!journal) {
    // Unreadable: only when its writer is gone (the pid is in the name) is it safe to drop.
    const pid = Number(JOURNAL_NAME.exec(name)![1]);
    if (!isDead(pid)) return;
    await rm(path, { force: true });
    return;
  }
  // Claim it: of two processes recovering at once, only the one whose rename succeeds goes on.
  const claimed = `${path}.recovering-${process.pid}`;
  try {
    await rename(path, claimed);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw err;
  }
  await finishRecovery(root, claimed, journal, report);
}

/** A `.tmp` journal never took effect; a `.recovering-<pid>` one whose recoverer died is recovered again. */
async function recoverSide(root: string, name: string, journalName: string, recoverer: string | undefined, report: RecoveryReport): Promise<void> {
  const path = join(root, name);
  const writer = Number(JOURNAL_NAME.exec(journalName)![1]);
  if (recoverer === undefined) {
    if (isDead(writer)) await rm(path, { force: true });
    return;
  }
  if (!isDead(Number(recoverer))) return;
  const journal = await readJournal(path);
  const claimed = `${join(root, journalName)}.recovering-${process.pid}`;
  try {
    await rename(path, claimed);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw err;
  }
  if (journal) await finishRecovery(root, claimed, journal, report);
  else await rm(claimed, { force: true });
}

async function finishRecovery(root: string, claimed: string, journal: Journal, report: RecoveryReport): Promise<void> {
  report.leftovers.push(...(await applyJournal(root, journal)));
  await rm(claimed, { force: true });
  if (journal.phase === 'staging') await removeCreatedAbove(root, journal.createdAbove);
  report.recovered++;
}

async function readJournal(path: string): Promise<Journal | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<Journal>;
    const files = Array.isArray(value.files) ? value.files : undefined;
    const dirs = Array.isArray(value.dirs) ? value.dirs : undefined;
    if (value.v !== 1 || typeof value.pid !== 'number' || typeof value.host !== 'string' || !files || !dirs) return undefined;
    if (value.phase !== 'staging' && value.phase !== 'committed') return undefined;
    // Every name must stay inside the root: a journal is data found on disk, not trusted.
    // The install record is the one name templates may not use that the installer itself writes.
    const safeRel = (rel: unknown) => typeof rel === 'string' && (rel === PROVENANCE_FILE || checkEntryPath(rel) === undefined);
    const safeName = (n: unknown) => typeof n === 'string' && /^\.template-[0-9a-f]{12}\.(tmp|bak)$/.test(n);
    for (const f of files) {
      if (!safeRel(f.rel) || !safeName(f.temp) || (f.backup !== undefined && !safeName(f.backup)) || !/^[0-9a-f]{64}$/.test(String(f.sha256))) return undefined;
    }
    if (!dirs.every((d) => d !== PROVENANCE_FILE && safeRel(d))) return undefined;
    const createdAbove = Number.isSafeInteger(value.createdAbove) ? Math.max(0, Math.min(value.createdAbove!, 64)) : 0;
    return { v: 1, pid: value.pid, host: value.host, startedAt: Number(value.startedAt) || 0, phase: value.phase, dirs, createdAbove, files };
  } catch {
    return undefined;
  }
}

function isOwnerAlive(journal: Journal): boolean {
  if (journal.host !== hostname()) return Date.now() - journal.startedAt < FOREIGN_JOURNAL_MS;
  return !isDead(journal.pid);
}

/** True only when no process `pid` exists on this machine (this process's own pid is alive). */
function isDead(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return errorCode(err) === 'ESRCH';
  }
}

function tempName(kind: 'tmp' | 'bak'): string {
  // Hidden, and short whatever the target's name, so it never exceeds the file system's name limit.
  return `.template-${randomBytes(6).toString('hex')}.${kind}`;
}

function symlinkRefused(rel: string, at: string): UnsafePackageError {
  return new UnsafePackageError(`${rel}: refusing to write through the symbolic link ${at}`, rel);
}

/** For tests and diagnostics: whether `name` is one of the transaction's own temporary names. */
export function isTransactionLeftover(name: string): boolean {
  return JOURNAL_NAME.test(name) || JOURNAL_SIDE.test(name) || /^\.template-[0-9a-f]{12}\.(tmp|bak)(\.partial)?$/.test(basename(name));
}
