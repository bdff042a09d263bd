import { FormatError } from '../errors';

/** An HTTP token (RFC 9110 §5.6.2): what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Headers the engine owns: framing and connection headers undici or the proxy manage, the
 * conditional and encoding headers the cache and the size caps depend on, and the proxy's own
 * credentials (which must never be sent to a marketplace).
 */
const RESERVED: ReadonlySet<string> = new Set([
  'host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect',
  'proxy-authorization', 'proxy-connection', 'accept-encoding', 'if-none-match', 'if-modified-since', 'range', 'if-range',
]);

/**
 * Checks extra request headers from the settings (e.g. `Authorization: Bearer …` for a private
 * marketplace). Messages name the header, never its value: the value is usually a secret.
 */
export function checkRequestHeaders(headers: unknown, where: string, field: string): void {
  if (headers === undefined) return;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw new FormatError('must be an object of header names to values', where, field);
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new FormatError(`"${name}" is not a valid header name`, where, field);
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) throw new FormatError(`"${name}" is set by the engine and cannot be configured`, where, field);
    if (seen.has(lower)) throw new FormatError(`"${name}" is given twice (header names ignore case)`, where, field);
    seen.add(lower);
    if (typeof value !== 'string') throw new FormatError(`the value of "${name}" must be a string`, where, field);
    if (hasControlCharacter(value)) throw new FormatError(`the value of "${name}" contains a line break or control character`, where, field);
  }
}

/** Control characters other than tab: CR/LF would let a value inject headers, NUL is refused by Node. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/**
 * Request headers that belong to one origin (scheme, host and port), such as a private
 * marketplace's token: `for()` hands them out only for URLs of that origin, so they cannot leak to
 * another server even if a URL of another origin is ever requested on the source's behalf.
 * Inspecting or serializing the object shows header names only.
 */
export class OriginHeaders {
  readonly origin: string;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(originUrl: string | URL, headers: Readonly<Record<string, string>>) {
    checkRequestHeaders(headers, 'OriginHeaders', 'headers');
    this.origin = new URL(originUrl).origin;
    // Opaque origins (file:, data:) all serialize as "null" and would match one another.
    if (this.origin === 'null') throw new FormatError(`"${String(originUrl)}" has no origin to confine headers to`, 'OriginHeaders');
    this.#headers = Object.freeze(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])));
  }

  /** The headers when `url` is of this origin; none otherwise. */
  for(url: URL): Readonly<Record<string, string>> {
    return url.origin === this.origin ? this.#headers : {};
  }

  toJSON(): { origin: string; headers: string[] } {
    return { origin: this.origin, headers: Object.keys(this.#headers) };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `OriginHeaders(${this.origin}: ${Object.keys(this.#headers).join(', ')})`;
  }
}
