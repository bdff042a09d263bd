import { LIMITS } from './limits';

/**
 * Device names Windows reserves in every folder, whatever the extension and with spaces before it
 * ("nul.txt", "NUL .tar.gz", "com¹"). Checked on the collision key too, so look-alikes are caught.
 */
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) *(?:\..*)?$/iu;

/**
 * Folders where a version control system keeps its metadata and configuration, by collision key.
 * Writing there (or writing a `.git` *file*, which points Git at another repository) can make the
 * next `git status` run a command of the template's choosing (core.fsmonitor, hooks, …).
 */
const VCS_METADATA = new Set(['.git', '.hg', '.svn', '.bzr', '_darcs', 'cvs', '.jj', '.pijul', '.sl', '.fslckout', '_fossil_']);

/** An NTFS 8.3 short name ("GIT~1", "PROGRA~2.TXT") can stand for another file, e.g. ".git". */
const SHORT_NAME = /^[^.]{0,7}~[0-9]/u;

/** The installer's journal, temp and backup names (see install/fileTransaction.ts): a template must never plant one. */
const INSTALLER_NAME = /^\.template-(?:install-|[0-9a-f]{12}\.(?:tmp|bak))/u;

/**
 * The install record (provenance/types.ts PROVENANCE_FILE), by collision key: only the installer
 * writes it, in the same transaction as the files, so a template can never forge or clobber it.
 */
const RECORD_NAME = '.template-marketplace.json';

/** Text-direction controls make a name display as another one ("evil\u202Etxt.exe"). */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Zero-width and other characters some file systems (HFS+) ignore in names. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The key under which two names are "the same file" on at least one supported file system:
 * compatibility-normalized (NFC and NFD forms, ligatures such as "ﬁ", the Kelvin sign), with
 * Unicode default-ignorable characters removed (HFS+ skips them), and case-folded fully ("ß" and
 * "SS", "ſ" and "s", "ı" and "I"). It is deliberately coarser than any one file system: a template
 * never needs two names that only differ like this.
 */
export function collisionKey(path: string): string {
  const plain = path.normalize('NFKD').replace(IGNORABLE, '');
  // lower → upper → lower folds the characters whose uppercase has no single lowercase (ß, ẞ, ﬁ, ŉ…).
  return plain.toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * Checks one path inside a package (or a path a template renders to). Returns a description of
 * the problem, or undefined when the path is safe to join below a target folder on any OS.
 */
export function checkEntryPath(path: string): string | undefined {
  if (path.length === 0) return 'the path is empty';
  if (Buffer.byteLength(path, 'utf8') > LIMITS.maxPathBytes) return `the path is longer than ${LIMITS.maxPathBytes} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the path contains a control character';
  if (BIDI_CONTROL.test(path)) return 'the path contains a text-direction control character';
  if (path.includes('\\')) return 'the path contains a backslash (zip paths use "/")';
  if (path.startsWith('/')) return 'the path is absolute';
  if (/^[A-Za-z]:/.test(path) || path.includes(':')) return 'the path contains ":" (a drive letter or stream name)';
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.length > LIMITS.maxPathDepth) return `the path is deeper than ${LIMITS.maxPathDepth} folders`;
  for (const s of segments) {
    const problem = checkSegment(s);
    if (problem) return problem;
  }
  return undefined;
}

function checkSegment(s: string): string | undefined {
  if (s === '') return 'the path has an empty segment ("//")';
  if (s === '..') return 'the path escapes its folder ("..")';
  if (s === '.') return 'the path has a "." segment';
  const key = collisionKey(s);
  if (WINDOWS_RESERVED.test(s) || WINDOWS_RESERVED.test(key)) return `"${s}" is a reserved file name on Windows`;
  if (/[ .]$/.test(s)) return `"${s}" ends with a space or dot, which Windows drops`;
  if (/[<>"|?*]/.test(s)) return `"${s}" contains a character Windows does not allow in file names`;
  if (VCS_METADATA.has(key) || VCS_METADATA.has(key.replace(/[ .]+$/, ''))) {
    return `"${s}" is version control metadata; templates never write there`;
  }
  if (key === RECORD_NAME || key.replace(/[ .]+$/, '') === RECORD_NAME) return `"${s}" is the install record, which only the installer writes`;
  if (INSTALLER_NAME.test(key)) return `"${s}" is a name the installer reserves for its own temporary files`;
  if (SHORT_NAME.test(s)) return `"${s}" looks like a Windows short (8.3) name, which can stand for another file`;
  return undefined;
}

/** A catalog `path`: a relative URL path below the marketplace root, no scheme, query or "..". */
export function checkRelativeUrl(path: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/')) return 'must be relative to the marketplace root';
  if (/[?#\\]/.test(path)) return 'must not contain "?", "#" or "\\"';
  if (path.split('/').some((s) => s === '..' || s === '.' || s === '')) return 'must not contain empty, "." or ".." segments';
  return undefined;
}
