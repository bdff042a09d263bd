import { LIMITS } from './limits';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Checks one path inside a package (or a path a template renders to). Returns a description of
 * the problem, or undefined when the path is safe to join below a target folder on any OS.
 */
export function checkEntryPath(path: string): string | undefined {
  if (path.length === 0) return 'the path is empty';
  if (Buffer.byteLength(path, 'utf8') > LIMITS.maxPathBytes) return `the path is longer than ${LIMITS.maxPathBytes} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the path contains a control character';
  if (path.includes('\\')) return 'the path contains a backslash (zip paths use "/")';
  if (path.startsWith('/')) return 'the path is absolute';
  if (/^[A-Za-z]:/.test(path) || path.includes(':')) return 'the path contains ":" (a drive letter or stream name)';
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.length > LIMITS.maxPathDepth) return `the path is deeper than ${LIMITS.maxPathDepth} folders`;
  for (const s of segments) {
    if (s === '') return 'the path has an empty segment ("//")';
    if (s === '..') return 'the path escapes its folder ("..")';
    if (s === '.') return 'the path has a "." segment';
    if (WINDOWS_RESERVED.test(s)) return `"${s}" is a reserved file name on Windows`;
    if (/[ .]$/.test(s)) return `"${s}" ends with a space or dot, which Windows drops`;
    if (/[<>"|?*]/.test(s)) return `"${s}" contains a character Windows does not allow in file names`;
  }
  return undefined;
}

/** A catalog `path`: a relative URL path below the marketplace root, no scheme, query or "..". */
export function checkRelativeUrl(path: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/')) return 'must be relative to the marketplace root';
  if (/[?#\\]/.test(path)) return 'must not contain "?", "#" or "\\"';
  if (path.split('/').some((s) => s === '..' || s === '.' || s === '')) return 'must not contain empty, "." or ".." segments';
  return undefined;
}
