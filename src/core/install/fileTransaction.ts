import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, realpath, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConflictError, UnsafePackageError } from '../errors';
import { errorCode, lstatIfExists, samePath } from './fsUtil';

interface Staged {
  /** Path relative to the root, with "/" separators: what errors report. */
  rel: string;
  target: string;
  temp: string;
  replace: boolean;
}

interface Committed {
  target: string;
  /** Where the replaced file waits until the whole commit has succeeded. */
  backup?: string;
}

/** Error codes of file systems without hard links, where a no-replace move falls back to check-then-rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/**
 * Writes a set of files below `root` all or nothing. `stage` writes each file to a temp file in
 * its destination folder, creating missing folders one level at a time and refusing symbolic
 * links; `commit` moves them into place, keeping each replaced file as a backup until every
 * move has succeeded; `rollback` undoes whatever was done: temps, new files, replaced files and
 * created folders.
 */
export class FileTransaction {
  readonly #root: string;
  readonly #createdDirs: string[] = [];
  readonly #staged: Staged[] = [];
  readonly #committed: Committed[] = [];
  #done = false;

  /** `root` must be a real path (see fs.realpath); it is trusted, everything below it is checked. */
  constructor(root: string) {
    this.#root = root;
  }

  /** Writes `bytes` beside `rel` (a checked, "/"-separated path below the root), ready to commit. */
  async stage(rel: string, bytes: Uint8Array, replace: boolean, signal?: AbortSignal): Promise<void> {
    const segments = rel.split('/');
    const dir = await this.#ensureDir(segments.slice(0, -1), rel);
    const staged: Staged = { rel, target: join(dir, segments[segments.length - 1]!), temp: join(dir, tempName('tmp')), replace };
    this.#staged.push(staged); // before writing, so a rollback also removes a half-written temp
    // 'wx' (O_CREAT | O_EXCL) never opens an existing path, so it cannot follow a planted symlink.
    await writeFile(staged.temp, bytes, { flag: 'wx', signal });
  }

  /** Moves every staged file into place. If it throws, `rollback()` restores the state before `stage`. */
  async commit(): Promise<void> {
    for (const s of this.#staged) {
      await this.#assertFolderUnchanged(s);
      if (s.replace) await this.#moveReplacing(s);
      else await this.#moveNoReplace(s);
    }
    this.#done = true;
    this.#staged.length = 0;
    await Promise.all(this.#committed.map((c) => c.backup && rm(c.backup, { force: true })));
  }

  /**
   * Undoes everything this transaction did, as far as possible, and returns the paths it could
   * not clean up or restore (normally none). A no-op after a successful commit.
   */
  async rollback(): Promise<string[]> {
    if (this.#done) return [];
    const leftovers: string[] = [];
    const attempt = async (path: string, undo: () => Promise<unknown>) => {
      try {
        await undo();
      } catch {
        leftovers.push(path);
      }
    };
    for (const c of this.#committed.splice(0).reverse()) {
      await attempt(c.target, () => rm(c.target, { force: true }));
      const backup = c.backup;
      if (backup) await attempt(backup, () => rename(backup, c.target));
    }
    for (const s of this.#staged.splice(0)) await attempt(s.temp, () => rm(s.temp, { force: true }));
    for (const dir of this.#createdDirs.splice(0).reverse()) {
      // Only folders this transaction created, and only while empty: someone may have used one since.
      await rmdir(dir).catch((err: unknown) => {
        if (errorCode(err) !== 'ENOENT' && errorCode(err) !== 'ENOTEMPTY') leftovers.push(dir);
      });
    }
    return leftovers;
  }

  /** Walks down from the root, creating what is missing and refusing symlinks and files on the way. */
  async #ensureDir(segments: readonly string[], rel: string): Promise<string> {
    let dir = this.#root;
    for (const segment of segments) {
      dir = join(dir, segment);
      let stats = await lstatIfExists(dir);
      if (!stats) {
        try {
          await mkdir(dir);
          this.#createdDirs.push(dir);
        } catch (err) {
          if (errorCode(err) !== 'EEXIST') throw err; // created by someone else meanwhile: check it below
        }
        stats = await lstat(dir);
      }
      if (stats.isSymbolicLink()) throw symlinkRefused(rel, dir);
      if (!stats.isDirectory()) throw new ConflictError(`${rel}: ${dir} is a file where the template needs a folder`, [rel]);
    }
    return dir;
  }

  /** The folder must still resolve to itself: no symlink swapped in anywhere above it since staging. */
  async #assertFolderUnchanged(s: Staged): Promise<void> {
    const dir = dirname(s.target);
    if (!samePath(await realpath(dir), dir)) throw symlinkRefused(s.rel, dir);
  }

  async #moveReplacing(s: Staged): Promise<void> {
    const done: Committed = { target: s.target, backup: join(dirname(s.target), tempName('bak')) };
    try {
      await rename(s.target, done.backup!);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
      delete done.backup; // the file went away meanwhile: nothing to keep
    }
    this.#committed.push(done);
    await rename(s.temp, s.target);
  }

  /**
   * Moves the temp file to a target that must not exist. A hard link fails with EEXIST instead
   * of replacing, so a file someone created after the conflict check is never clobbered.
   */
  async #moveNoReplace(s: Staged): Promise<void> {
    const createdMeanwhile = () => new ConflictError(`${s.rel} was created by someone else during the install`, [s.rel]);
    try {
      await link(s.temp, s.target);
    } catch (err) {
      if (errorCode(err) === 'EEXIST') throw createdMeanwhile();
      if (!NO_HARD_LINKS.has(errorCode(err) ?? '')) throw err;
      if (await lstatIfExists(s.target)) throw createdMeanwhile();
      await rename(s.temp, s.target);
      this.#committed.push({ target: s.target });
      return;
    }
    this.#committed.push({ target: s.target });
    await unlink(s.temp);
  }
}

function tempName(kind: 'tmp' | 'bak'): string {
  // Hidden, and short whatever the target's name, so it never exceeds the file system's name limit.
  return `.template-${randomBytes(6).toString('hex')}.${kind}`;
}

function symlinkRefused(rel: string, at: string): UnsafePackageError {
  return new UnsafePackageError(`${rel}: refusing to write through the symbolic link ${at}`, rel);
}
