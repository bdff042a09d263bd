import { FormatError } from '../errors';
import { displayText } from '../util/displayText';
import { utf8 } from './encoding';
import { checkJsonShape, type JsonShapeLimits } from './jsonLimits';

/**
 * Small field readers that throw a `FormatError` naming the file and the exact field, so a
 * publisher sees "catalog.json: templates[3].sha256: expected 64 lowercase hex characters".
 */
export class Fields {
  constructor(
    readonly file: string,
    readonly obj: Record<string, unknown>,
    readonly prefix = '',
  ) {}

  static root(value: unknown, file: string, prefix = ''): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FormatError('expected a JSON object', file, prefix || undefined);
    }
    return new Fields(file, value as Record<string, unknown>, prefix);
  }

  path(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  fail(key: string, message: string): never {
    throw new FormatError(message, this.file, this.path(key));
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  string(key: string, opts: { pattern?: RegExp; max?: number; min?: number; hint?: string } = {}): string {
    const v = this.obj[key];
    if (v === undefined) this.fail(key, 'is missing');
    if (typeof v !== 'string') this.fail(key, `expected a string, got ${typeOf(v)}`);
    if (v.length < (opts.min ?? 0)) this.fail(key, opts.min === 1 ? 'must not be empty' : `must be at least ${opts.min} characters`);
    if (opts.max !== undefined && v.length > opts.max) this.fail(key, `must be at most ${opts.max} characters`);
    if (opts.pattern && !opts.pattern.test(v)) this.fail(key, `expected ${opts.hint ?? `to match ${opts.pattern}`}, got ${quoteValue(v)}`);
    return v;
  }

  optionalString(key: string, opts: Parameters<Fields['string']>[1] = {}): string | undefined {
    return this.has(key) ? this.string(key, opts) : undefined;
  }

  integer(key: string, opts: { min?: number; max?: number } = {}): number {
    const v = this.obj[key];
    if (v === undefined) this.fail(key, 'is missing');
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(key, `expected an integer, got ${quoteValue(v)}`);
    if (opts.min !== undefined && v < opts.min) this.fail(key, `must be at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) this.fail(key, `must be at most ${opts.max}`);
    return v;
  }

  isoTime(key: string): string {
    const v = this.string(key, { max: 32, pattern: ISO_TIME, hint: 'an ISO 8601 UTC time like 2026-01-31T12:00:00Z' });
    if (Number.isNaN(Date.parse(v))) this.fail(key, `is not a valid time: ${quoteValue(v)}`);
    return v;
  }

  array(key: string, opts: { max?: number } = {}): unknown[] {
    const v = this.obj[key];
    if (v === undefined) this.fail(key, 'is missing');
    if (!Array.isArray(v)) this.fail(key, `expected an array, got ${typeOf(v)}`);
    if (opts.max !== undefined && v.length > opts.max) this.fail(key, `must have at most ${opts.max} items`);
    return v;
  }

  object(key: string): Fields {
    const v = this.obj[key];
    if (v === undefined) this.fail(key, 'is missing');
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, `expected an object, got ${typeOf(v)}`);
    return new Fields(this.file, v as Record<string, unknown>, this.path(key));
  }

  item(key: string, index: number, value: unknown): Fields {
    return Fields.root(value, this.file, `${this.path(key)}[${index}]`);
  }
}

/** The nesting any JSON document the client reads may have unless its reader says otherwise. */
export const DEFAULT_JSON_LIMITS: JsonShapeLimits = { maxDepth: 64 };

/**
 * Parses UTF-8 JSON bytes; invalid UTF-8 or JSON is a FormatError naming the file (and field). The
 * raw bytes are first checked against `limits` (nesting depth, number of values) in one linear
 * pass, so the parser is never asked to build more than the caller allows. Whatever goes wrong
 * while parsing (a RangeError included) is a FormatError: malformed data is never reported as
 * anything else.
 */
export function parseJsonBytes(bytes: Uint8Array, file: string, field?: string, limits: JsonShapeLimits = DEFAULT_JSON_LIMITS): unknown {
  checkJsonShape(bytes, limits, file, field);
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new FormatError(`is not valid UTF-8 JSON (${displayText((err as Error).message, { maxLength: 200 })})`, file, field, { cause: err });
  }
}

/**
 * A value as an error message may quote it: JSON, cut to a few dozen characters and neutralised,
 * since it comes from a file a stranger may have written (and errors end up on terminals).
 */
export function quoteValue(v: unknown, maxLength = 80): string {
  if (typeof v === 'string') return displayText(JSON.stringify(v.length > maxLength ? v.slice(0, maxLength) : v) + (v.length > maxLength ? '…' : ''));
  if (typeof v === 'object' && v !== null) return typeOf(v);
  return displayText(String(JSON.stringify(v)), { maxLength });
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
/** semver.org 2.0.0, without build metadata's leading-zero quirks relaxed. */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
export const TEMPLATE_ID = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const HEX64 = /^[0-9a-f]{64}$/;
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
