import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { TooLargeError } from '../errors';
import { checkRecordPath } from '../provenance/paths';

/**
 * SHA-256 hex of the regular file at `rel` below `root` (a real path), or undefined when there is
 * none that can be read safely: an unsafe recorded path, a symbolic link or a non-folder on the
 * way, a link or non-file at the end. Nothing is ever followed out of `root`.
 */
export async function digestInside(root: string, rel: string): Promise<string | undefined> {
  return withFileInside(root, rel, async (handle) => {
    const hash = createHash('sha256');
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  });
}

/**
 * The content of the regular file at `rel` below `root`, read under the same rules as
 * `digestInside` (undefined when there is no such file). A file larger than `maxBytes` is a
 * TooLargeError: an update merges files in memory.
 */
export async function readInside(root: string, rel: string, maxBytes: number): Promise<Uint8Array | undefined> {
  return withFileInside(root, rel, async (handle) => {
    const size = (await handle.stat()).size;
    if (size > maxBytes) throw new TooLargeError(`${rel} is ${size} bytes, more than the ${maxBytes} an update reads; move it aside and retry`);
    return new Uint8Array(await handle.readFile());
  });
}

async function withFileInside<T>(root: string, rel: string, read: (handle: FileHandle) => Promise<T>): Promise<T | undefined> {
  if (checkRecordPath(rel) !== undefined) return undefined;
  const segments = rel.split('/');
  let path = root;
  for (const segment of segments.slice(0, -1)) {
    path = join(path, segment);
    const stats = await lstat(path).catch(() => undefined);
    if (!stats || stats.isSymbolicLink() || !stats.isDirectory()) return undefined;
  }
  let handle;
  try {
    // O_NOFOLLOW: a link planted at the last component after the walk is refused, not followed.
    handle = await open(join(path, segments.at(-1)!), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    if (!(await handle.stat()).isFile()) return undefined;
  } catch {
    await handle?.close();
    return undefined;
  }
  try {
    return await read(handle);
  } catch (err) {
    if (err instanceof TooLargeError) throw err;
    return undefined;
  } finally {
    await handle.close();
  }
}
