import { lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/** The `code` of a Node system error ('ENOENT', 'EEXIST', …), if it has one. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** `lstat` that answers undefined for a path that does not exist (it never follows a symlink). */
export async function lstatIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Two real paths name the same place; Windows and macOS compare file names without case. */
export function samePath(a: string, b: string): boolean {
  return a === b || (process.platform !== 'linux' && a.toLowerCase() === b.toLowerCase());
}
