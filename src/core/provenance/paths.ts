import { FormatError } from '../errors';
import { PROVENANCE_LIMITS } from './types';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Brings a path to the one form a record stores, so the same file always has the same key on every
 * OS: "\" becomes "/", a leading "./" is dropped, and Unicode is NFC (macOS hands out NFD names).
 * Throws a FormatError when the result is not a safe relative file path.
 */
export function normalizeRecordPath(path: string, field = 'path'): string {
  let p = path.replace(/\\/g, '/').normalize('NFC');
  while (p.startsWith('./')) p = p.slice(2);
  const problem = checkRecordPath(p);
  if (problem) throw new FormatError(`${problem}: ${JSON.stringify(path.slice(0, 300))}`, undefined, field);
  return p;
}

/**
 * Why `path` is not a normalised, safe relative file path, or undefined when it is. A record is read
 * from a repository that may be hostile, so its paths are checked as strictly as package paths.
 */
export function checkRecordPath(path: string): string | undefined {
  if (path.length === 0) return 'the path is empty';
  if (Buffer.byteLength(path, 'utf8') > PROVENANCE_LIMITS.maxPathBytes) return `the path is longer than ${PROVENANCE_LIMITS.maxPathBytes} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the path contains a control character';
  if (path.includes('\\')) return 'the path contains a backslash (records use "/")';
  if (path.startsWith('/') || path.includes(':')) return 'the path is absolute or contains ":"';
  if (path.endsWith('/')) return 'the path names a folder, not a file';
  if (path !== path.normalize('NFC')) return 'the path is not in Unicode NFC form';
  const segments = path.split('/');
  if (segments.length > PROVENANCE_LIMITS.maxPathDepth) return `the path is deeper than ${PROVENANCE_LIMITS.maxPathDepth} folders`;
  for (const s of segments) {
    if (s === '') return 'the path has an empty segment ("//")';
    if (s === '.' || s === '..') return 'the path has a "." or ".." segment';
    if (WINDOWS_RESERVED.test(s)) return `"${s}" is a reserved file name on Windows`;
    if (/[ .]$/.test(s)) return `"${s}" ends with a space or dot, which Windows drops`;
    if (/[<>"|?*]/.test(s)) return `"${s}" contains a character Windows does not allow in file names`;
  }
  return undefined;
}

/** The key two paths collide on in a case-insensitive file system (Windows, macOS). */
export function pathFoldKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}
