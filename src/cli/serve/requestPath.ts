/** Where a request points below the server root: path segments, or why it is refused. */
export type RequestTarget = { segments: string[] } | { status: 400 | 404; reason: string };

/**
 * Turns a request target such as `/packages/readme-1.0.0.zip?x=1` into decoded path segments.
 * Traversal is refused both raw and percent-encoded (`..`, `%2e%2e`, `%2f`, `%5c`), and so are
 * dot files (in-flight temporary files, `.git`), folders and empty segments.
 */
export function parseRequestTarget(target: string | undefined): RequestTarget {
  if (!target?.startsWith('/')) return { status: 400, reason: 'the request target must be a path' };
  const pathname = target.replace(/[?#].*$/s, '');
  const segments: string[] = [];
  for (const raw of pathname.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { status: 400, reason: 'the path is not valid percent-encoded UTF-8' };
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return { status: 400, reason: 'the path leaves the served folder' };
    if (segment === '' || segment.startsWith('.')) return { status: 404, reason: 'not found' };
    segments.push(segment);
  }
  return { segments };
}
