import { FormatError } from '../errors';

/** Bounds on the shape of a JSON document, checked on its raw bytes before it is parsed. */
export interface JsonShapeLimits {
  /** Deepest nesting of arrays and objects (a bare scalar is depth 0, `[]` is 1, `[{}]` is 2). */
  maxDepth: number;
  /** Most values in the whole document: every scalar, string (object keys included), array and object. */
  maxValues?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * One linear pass over JSON bytes that refuses a document nested deeper than `maxDepth` or holding
 * more than `maxValues` values, before `JSON.parse` builds anything. It does not validate JSON (the
 * parser does that afterwards); it only bounds what the parser may be asked to build. Inside strings
 * it jumps from quote to quote with a native search, so a multi-megabyte string costs a memchr.
 *
 * The cost is O(bytes) time and O(1) memory whatever the input: unterminated strings, unbalanced
 * brackets and binary junk all end the pass at the last byte at the latest.
 */
export function checkJsonShape(bytes: Uint8Array, limits: JsonShapeLimits, file: string, field?: string): void {
  const { maxDepth } = limits;
  const maxValues = limits.maxValues ?? Number.MAX_SAFE_INTEGER;
  let depth = 0;
  let values = 0;
  // True where a value may start: at the beginning, and after `[`, `{`, `,` and `:`.
  let expectValue = true;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    switch (b) {
      case 0x20: // space
      case 0x09: // tab
      case 0x0a: // line feed
      case 0x0d: // carriage return
        continue;
      case QUOTE: {
        if (++values > maxValues) tooMany(maxValues, file, field);
        i = closingQuote(bytes, i + 1);
        expectValue = false;
        continue;
      }
      case 0x5b: // [
      case 0x7b: // {
        if (++values > maxValues) tooMany(maxValues, file, field);
        if (++depth > maxDepth) {
          throw new FormatError(`is nested more than ${maxDepth} levels deep; refusing to parse it`, file, field);
        }
        expectValue = true;
        continue;
      case 0x5d: // ]
      case 0x7d: // }
        depth--;
        expectValue = false;
        continue;
      case 0x2c: // ,
      case 0x3a: // :
        expectValue = true;
        continue;
      default:
        // The first byte of a number, true, false or null (or of junk the parser will refuse).
        if (expectValue) {
          if (++values > maxValues) tooMany(maxValues, file, field);
          expectValue = false;
        }
    }
  }
}

/** The index of the quote that closes a string whose content starts at `from` (or the last index). */
function closingQuote(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote < 0) return bytes.length - 1;
    // A quote preceded by an odd number of backslashes is escaped. Each backslash is looked at
    // once per quote that follows it directly, so the whole scan stays linear.
    let slashes = 0;
    for (let j = quote - 1; j >= from && bytes[j] === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

function tooMany(maxValues: number, file: string, field: string | undefined): never {
  throw new FormatError(`holds more than ${maxValues} JSON values; refusing to parse it`, file, field);
}
