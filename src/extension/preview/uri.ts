/**
 * Addresses of read-only previews, pure (the provider turns them into `vscode.Uri`s):
 *
 * - the summary of a template: `template-preview:/<source>/<id> (preview).md?ref=…&version=…`
 * - one rendered file:        `template-preview:/<source>/<id>/<path>?ref=…&version=…&file=<path>`
 *
 * The query is the source of truth; the path exists for people: the tab title is its last segment
 * and the file's extension gives the editor its language (Markdown, YAML, …).
 */
export const PREVIEW_SCHEME = 'template-preview';

export interface PreviewTarget {
  /** `<source>/<id>` */
  readonly ref: string;
  /** The version previewed: documents of different versions never share content. */
  readonly version: string;
  /** A rendered file's path relative to the install target ("/"-separated); none for the summary. */
  readonly file?: string;
}

export interface PreviewLocation {
  readonly scheme: typeof PREVIEW_SCHEME;
  readonly path: string;
  readonly query: string;
}

const REF = /^[^/\s?#]+\/[^/\s?#]+$/;
const MAX_PART = 1024;

export function isPreviewRef(ref: string): boolean {
  return ref.length <= 300 && REF.test(ref);
}

export function previewLocation(target: PreviewTarget): PreviewLocation {
  if (!isPreviewRef(target.ref)) throw new Error(`not a template reference: ${JSON.stringify(target.ref)}`);
  const params = new URLSearchParams({ ref: target.ref, version: target.version });
  if (target.file !== undefined) params.set('file', target.file);
  const [source, id] = target.ref.split('/') as [string, string];
  const path = target.file === undefined ? `/${source}/${id} (preview).md` : `/${source}/${id}/${target.file.split('/').filter(Boolean).join('/')}`;
  return { scheme: PREVIEW_SCHEME, path, query: params.toString() };
}

/** The target of a preview URI's (decoded) query, or undefined if it is not one of ours. */
export function parsePreviewQuery(query: string): PreviewTarget | undefined {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return undefined;
  }
  const ref = params.get('ref');
  const version = params.get('version');
  const file = params.get('file');
  if (ref === null || version === null || !isPreviewRef(ref) || version.length > 64) return undefined;
  if (file !== null && (file.length === 0 || file.length > MAX_PART)) return undefined;
  return file === null ? { ref, version } : { ref, version, file };
}
