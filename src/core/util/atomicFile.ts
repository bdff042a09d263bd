import { randomBytes } from 'node:crypto';
import { link, open, rename, rm } from 'node:fs/promises';

/**
 * Writes `bytes` to `file` so that readers see either the old or the new content, never a torn one:
 * the data goes to `<file>.tmp-<random>`, is flushed to disk, then renamed over `file`.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
  const tmp = await writeTemp(file, bytes, mode);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Like `writeFileAtomic`, but fails with EEXIST instead of replacing an existing file: a hard link
 * is created atomically and only if the name is free.
 */
export async function writeFileExclusive(file: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
  const tmp = await writeTemp(file, bytes, mode);
  try {
    await link(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Flushes a folder's entries (new names, renames) to disk, so that files renamed into it survive a
 * crash before anything written afterwards. Not every platform can open a folder (Windows cannot);
 * there the rename itself is all we get.
 */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: see above.
  } finally {
    await handle?.close();
  }
}

/** The name of a temp file `writeFileAtomic` writes beside its target (left behind only by a crash). */
export const ATOMIC_TEMP = /\.tmp-[0-9a-f]{12}$/;

async function writeTemp(file: string, bytes: Uint8Array, mode: number): Promise<string> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  // 'wx': never follow or clobber something already at the temporary name.
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  return tmp;
}
