import { FormatError } from '../errors';
import { fromBase64, utf8 } from './encoding';
import { LIMITS } from './limits';
import { Fields, HEX64, SEMVER, SLUG, TEMPLATE_ID, parseJsonBytes } from './validate';
import { checkRelativeUrl } from './safePath';

/** One template as the catalog lists it. */
export interface TemplateEntry {
  id: string;
  name: string;
  version: string;
  description: string;
  category: string;
  tags: string[];
  author: string;
  downloads: number;
  updatedAt: string;
  size: number;
  sha256: string;
  path: string;
  publisher: string;
  signature: string;
}

/** The signed catalog payload. */
export interface Catalog {
  /** Optional display name of the marketplace. */
  name?: string;
  /** Grows with every publication; a client refuses a lower one (rollback). */
  version: number;
  expires: string;
  /** keyid -> base64 Ed25519 public key of each publisher allowed to sign packages. */
  publishers: Record<string, string>;
  templates: TemplateEntry[];
}

/** Field order used when writing a catalog; readers never re-serialize, they verify the bytes. */
export const TEMPLATE_FIELDS = [
  'id', 'name', 'version', 'description', 'category', 'tags', 'author', 'downloads',
  'updatedAt', 'size', 'sha256', 'path', 'publisher', 'signature',
] as const satisfies readonly (keyof TemplateEntry)[];

export function parseCatalogBytes(bytes: Uint8Array, file = 'catalog.json'): Catalog {
  return parseCatalog(parseJsonBytes(bytes, file, 'payload', { maxDepth: LIMITS.maxCatalogDepth }), file);
}

export function parseCatalog(value: unknown, file = 'catalog.json'): Catalog {
  const f = Fields.root(value, file);
  const name = f.optionalString('name', { max: 100 });
  const version = f.integer('version', { min: 1 });
  const expires = f.isoTime('expires');
  const pubFields = f.object('publishers');
  const publishers: Record<string, string> = {};
  for (const [keyid, key] of Object.entries(pubFields.obj)) {
    if (!HEX64.test(keyid)) pubFields.fail(keyid, 'a publisher key id is 64 lowercase hex characters (SHA-256 of the public key)');
    const raw = typeof key === 'string' ? fromBase64(key) : undefined;
    if (!raw || raw.length !== 32) pubFields.fail(keyid, 'expected base64 of a 32-byte Ed25519 public key');
    publishers[keyid] = key as string;
  }
  const list = f.array('templates', { max: LIMITS.maxTemplates });
  const seen = new Set<string>();
  const templates = list.map((item, i) => {
    const entry = parseTemplateEntry(f.item('templates', i, item));
    if (seen.has(entry.id)) throw new FormatError(`duplicate template id "${entry.id}"`, file, `templates[${i}].id`);
    if (!Object.hasOwn(publishers, entry.publisher)) {
      throw new FormatError(`publisher ${entry.publisher.slice(0, 12)}… is not listed in "publishers"`, file, `templates[${i}].publisher`);
    }
    seen.add(entry.id);
    return entry;
  });
  return { ...(name !== undefined ? { name } : {}), version, expires, publishers, templates };
}

function parseTemplateEntry(t: Fields): TemplateEntry {
  const tags = t.array('tags', { max: LIMITS.maxTags }).map((tag, i) => {
    if (typeof tag !== 'string' || !SLUG.test(tag) || tag.length > 32) {
      throw new FormatError('a tag is a lowercase slug of at most 32 characters', t.file, `${t.path('tags')}[${i}]`);
    }
    return tag;
  });
  const path = t.string('path', { min: 1, max: 512 });
  const pathProblem = checkRelativeUrl(path);
  if (pathProblem) t.fail('path', pathProblem);
  const signature = t.string('signature');
  if (fromBase64(signature)?.length !== 64) t.fail('signature', 'expected base64 of a 64-byte Ed25519 signature');
  return {
    id: t.string('id', { pattern: TEMPLATE_ID, max: 100, hint: 'a lowercase id like "readme" or "acme.api-reference"' }),
    name: t.string('name', { min: 1, max: 100 }),
    version: t.string('version', { pattern: SEMVER, max: 64, hint: 'a semantic version like 1.2.0' }),
    description: t.string('description', { max: 1000 }),
    category: t.string('category', { pattern: SLUG, max: 32, hint: 'a lowercase slug like "documentation"' }),
    tags,
    author: t.string('author', { min: 1, max: 100 }),
    downloads: t.integer('downloads', { min: 0 }),
    updatedAt: t.isoTime('updatedAt'),
    size: t.integer('size', { min: 1, max: LIMITS.maxPackageBytes }),
    sha256: t.string('sha256', { pattern: HEX64, hint: '64 lowercase hex characters' }),
    path,
    publisher: t.string('publisher', { pattern: HEX64, hint: 'a publisher key id (64 lowercase hex characters)' }),
    signature,
  };
}

/** Serializes a catalog with a fixed field order, so the same catalog always yields the same bytes. */
export function serializeCatalog(catalog: Catalog): Uint8Array {
  const ordered = {
    ...(catalog.name !== undefined ? { name: catalog.name } : {}),
    version: catalog.version,
    expires: catalog.expires,
    publishers: Object.fromEntries(Object.entries(catalog.publishers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    templates: [...catalog.templates]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((t) => Object.fromEntries(TEMPLATE_FIELDS.map((k) => [k, t[k]]))),
  };
  return utf8.encode(JSON.stringify(ordered, null, 1) + '\n');
}
