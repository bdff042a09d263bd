import { FormatError } from '../errors';
import { checkRecordPath, pathFoldKey } from './paths';
import { compareEntries, compareKeys, entryKey } from './keys';
import {
  PROVENANCE_FILE,
  PROVENANCE_LIMITS,
  PROVENANCE_SCHEMA_VERSION,
  type ProvenanceEntry,
  type ProvenanceFile,
  type ProvenanceRecord,
} from './types';

// Kept here rather than imported from src/core/format so the record format can evolve on its own.
const HEX64 = /^[0-9a-f]{64}$/;
const SOURCE_ID = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TEMPLATE_ID = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
/** Base64 of exactly 64 bytes: an Ed25519 signature. */
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const TEXT = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates a provenance record, strictly: the size is capped before decoding, unknown
 * fields, duplicate entries or paths and a newer schema are refused, and every failure is a
 * FormatError naming the field (`entries[2].files[0].sha256`). Accepts a leading BOM (Windows editors).
 */
export function parseProvenance(input: Uint8Array | string, file = PROVENANCE_FILE): ProvenanceRecord {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > PROVENANCE_LIMITS.maxBytes) throw new FormatError(`is larger than ${PROVENANCE_LIMITS.maxBytes} bytes`, file);
  let json: unknown;
  try {
    const text = typeof input === 'string' ? input : TEXT.decode(input);
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new FormatError(`is not valid UTF-8 JSON (${(err as Error).message})`, file, undefined, { cause: err });
  }
  const root = Obj.of(json, file, '');
  // Checked first, so a record from a newer client gets a clear message rather than "unknown field".
  const version = root.get('schemaVersion');
  if (typeof version === 'number' && Number.isInteger(version) && version > PROVENANCE_SCHEMA_VERSION) {
    root.fail('schemaVersion', `is ${version}; this client reads version ${PROVENANCE_SCHEMA_VERSION} (update the extension or CLI)`);
  }
  if (version !== PROVENANCE_SCHEMA_VERSION) root.fail('schemaVersion', `expected ${PROVENANCE_SCHEMA_VERSION}, got ${JSON.stringify(version)}`);
  root.only(['schemaVersion', 'entries']);
  const list = root.array('entries', PROVENANCE_LIMITS.maxEntries);
  const seen = new Set<string>();
  const entries = list.map((value, i) => {
    const entry = parseEntry(Obj.of(value, file, `entries[${i}]`));
    const key = entryKey(entry.marketplace.id, entry.template.id);
    if (seen.has(key)) throw new FormatError(`duplicate entry for template "${entry.template.id}" of marketplace "${entry.marketplace.id}"`, file, `entries[${i}]`);
    seen.add(key);
    return entry;
  });
  entries.sort(compareEntries);
  return { schemaVersion: PROVENANCE_SCHEMA_VERSION, entries };
}

function parseEntry(e: Obj): ProvenanceEntry {
  e.only(['marketplace', 'template', 'installedAt', 'verifiedAt', 'variables', 'files']);
  const m = e.object('marketplace');
  m.only(['id', 'url', 'catalogKeyId']);
  const t = e.object('template');
  t.only(['id', 'version', 'sha256', 'publisherKeyId', 'signature']);
  return {
    marketplace: {
      id: m.string('id', SOURCE_ID, 'a marketplace id like "acme" or "acme.docs"', 64),
      url: parseUrl(m),
      catalogKeyId: m.string('catalogKeyId', HEX64, '64 lowercase hex characters'),
    },
    template: {
      id: t.string('id', TEMPLATE_ID, 'a template id like "readme-basic"', 128),
      version: t.string('version', SEMVER, 'a semantic version like 1.2.0', 256),
      sha256: t.string('sha256', HEX64, '64 lowercase hex characters'),
      publisherKeyId: t.string('publisherKeyId', HEX64, '64 lowercase hex characters'),
      signature: t.string('signature', SIGNATURE, 'base64 of a 64-byte Ed25519 signature'),
    },
    installedAt: e.time('installedAt'),
    verifiedAt: e.time('verifiedAt'),
    variables: parseVariables(e.object('variables')),
    files: parseFiles(e),
  };
}

function parseUrl(m: Obj): string {
  const url = m.string('url', undefined, undefined, PROVENANCE_LIMITS.maxUrlLength);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return m.fail('url', `is not a URL: ${JSON.stringify(url.slice(0, 200))}`);
  }
  if (!['https:', 'http:', 'file:'].includes(parsed.protocol)) m.fail('url', 'must be an https:, http: or file: URL');
  // The record is committed: a token in the URL would leak with it.
  if (parsed.username || parsed.password) m.fail('url', 'must not contain credentials');
  return url;
}

function parseVariables(v: Obj): Record<string, string> {
  const names = Object.keys(v.value);
  if (names.length > PROVENANCE_LIMITS.maxVariables) v.fail('', `must have at most ${PROVENANCE_LIMITS.maxVariables} variables`);
  const entries = names.map((name): [string, string] => {
    if (!VARIABLE_NAME.test(name)) v.fail(name, 'is not a valid variable name');
    return [name, v.string(name, undefined, undefined, PROVENANCE_LIMITS.maxValueLength)];
  });
  entries.sort(([a], [b]) => compareKeys(a, b));
  // fromEntries defines own properties: a variable named "__proto__" stays data, never a prototype.
  return Object.fromEntries(entries);
}

function parseFiles(e: Obj): ProvenanceFile[] {
  const list = e.array('files', PROVENANCE_LIMITS.maxFiles);
  const seen = new Map<string, string>();
  const files = list.map((value, i) => {
    const f = Obj.of(value, e.file, `${e.path('files')}[${i}]`);
    f.only(['path', 'sha256']);
    const path = f.string('path');
    const problem = checkRecordPath(path);
    if (problem) f.fail('path', `${problem}: ${JSON.stringify(path.slice(0, 300))}`);
    // Two paths one case-insensitive file system cannot tell apart name the same file.
    const other = seen.get(pathFoldKey(path));
    if (other !== undefined) f.fail('path', `"${path}" is listed twice${other === path ? '' : ` (as "${other}")`}`);
    seen.set(pathFoldKey(path), path);
    return { path, sha256: f.string('sha256', HEX64, '64 lowercase hex characters') };
  });
  return files.sort((a, b) => compareKeys(a.path, b.path));
}

/** Reads fields of one JSON object, failing with the file and the field's full path. */
class Obj {
  private constructor(
    readonly file: string,
    readonly value: Record<string, unknown>,
    readonly prefix: string,
  ) {}

  static of(value: unknown, file: string, prefix: string): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FormatError(`expected a JSON object, got ${describe(value)}`, file, prefix || undefined);
    }
    return new Obj(file, value as Record<string, unknown>, prefix);
  }

  path(key: string): string {
    if (!key) return this.prefix;
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  fail(key: string, message: string): never {
    throw new FormatError(message, this.file, this.path(key) || undefined);
  }

  /** Own properties only: an inherited name never counts as present. */
  get(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  only(allowed: readonly string[]): void {
    for (const key of Object.keys(this.value)) if (!allowed.includes(key)) this.fail(key, 'is not a known field');
  }

  string(key: string, pattern?: RegExp, hint?: string, max = 1024): string {
    const v = this.get(key);
    if (v === undefined) this.fail(key, 'is missing');
    if (typeof v !== 'string') this.fail(key, `expected a string, got ${describe(v)}`);
    if (v.length > max) this.fail(key, `must be at most ${max} characters`);
    if (pattern && !pattern.test(v)) this.fail(key, `expected ${hint ?? String(pattern)}, got ${JSON.stringify(v.slice(0, 200))}`);
    return v;
  }

  time(key: string): string {
    const v = this.string(key, ISO_TIME, 'an ISO 8601 UTC time like 2026-01-31T12:00:00Z', 64);
    if (Number.isNaN(Date.parse(v))) this.fail(key, `is not a valid time: ${v}`);
    return v;
  }

  array(key: string, max: number): unknown[] {
    const v = this.get(key);
    if (v === undefined) this.fail(key, 'is missing');
    if (!Array.isArray(v)) this.fail(key, `expected an array, got ${describe(v)}`);
    if (v.length > max) this.fail(key, `must have at most ${max} items`);
    return v;
  }

  object(key: string): Obj {
    const v = this.get(key);
    if (v === undefined) this.fail(key, 'is missing');
    return Obj.of(v, this.file, this.path(key));
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
