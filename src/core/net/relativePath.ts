import { FormatError } from '../errors';
import { checkRelativeUrl } from '../format';

/**
 * Checks a path relative to a marketplace root (as a catalog names its files) and returns its
 * segments, percent-decoded. Decoding before the check means "%2e%2e" or "%2f" cannot smuggle a
 * traversal past it: URL parsers treat "%2e%2e" as "..", and a file system sees a decoded "/".
 */
export function relativePathSegments(relativePath: string): string[] {
  const problem = checkRelativeUrl(relativePath);
  if (problem !== undefined) throw unsafe(relativePath, problem);
  return relativePath.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch (err) {
      throw new FormatError('not a safe marketplace path: malformed percent-escape', relativePath, undefined, { cause: err });
    }
    if (decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded)) {
      throw unsafe(relativePath, 'must not encode "/", "\\", NUL, "." or ".." with percent-escapes');
    }
    return decoded;
  });
}

function unsafe(relativePath: string, problem: string): FormatError {
  return new FormatError(`not a safe marketplace path: ${problem}`, relativePath);
}
