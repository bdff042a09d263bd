import { FormatError } from '../errors';
import { createHash } from 'node:crypto';

/** Standard base64 (RFC 4648 §4) with padding; the only base64 the format uses. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** 1 for each character of the standard base64 alphabet (RFC 4648 §4), indexed by char code. */
const BASE64_ALPHABET = (() => {
  const table = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') table[c.charCodeAt(0)] = 1;
  return table;
})();

/**
 * Whether `text` is canonical-shaped standard base64 with padding: a multiple of 4 characters from
 * the alphabet, with at most two `=` and only at the very end. One linear pass and no regular
 * expression: a backtracking pattern over a multi-megabyte payload overflows V8's regexp stack.
 */
export function isBase64(text: string): boolean {
  const n = text.length;
  if (n % 4 !== 0) return false;
  // Fast path, in native code: the canonical encoding of its own bytes is base64 of that shape.
  // It matters for a catalog's payload, hundreds of kB that the loop below, not yet optimized on
  // the first catalog load of a process, takes milliseconds over (test/bench/activation.bench.ts).
  if (n > 1024 && Buffer.from(text, 'base64').toString('base64') === text) return true;
  const pad = n > 0 && text.charCodeAt(n - 1) === 0x3d ? (text.charCodeAt(n - 2) === 0x3d ? 2 : 1) : 0;
  for (let i = 0; i < n - pad; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || BASE64_ALPHABET[c] === 0) return false;
  }
  return true;
}

/** Strict decoding: Node's own decoder silently skips bad characters, which would hide corruption. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !isBase64(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Strict, like fromBase64: Buffer's own decoder stops silently at the first bad character. */
export function fromHex(text: string): Uint8Array {
  if (!isHex(text)) throw new FormatError(`${JSON.stringify(text.slice(0, 16))}… is not hex`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** An even number of hex digits (either case), checked in one linear pass. */
export function isHex(text: string): boolean {
  if (typeof text !== 'string' || text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c | 0x20; // folds A-F onto a-f (and nothing else onto a-f)
    if (!((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x66))) return false;
  }
  return true;
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// One of each, shared: neither keeps state between calls that do not stream, and a new one per
// call was a measurable share of a small cache hit (which decodes a record header).
const ENCODER = new TextEncoder();
const FATAL_DECODER = new TextDecoder('utf-8', { fatal: true });

export const utf8 = {
  encode: (text: string): Uint8Array => ENCODER.encode(text),
  /** Fatal decoding: invalid UTF-8 is an error, not a replacement character. */
  decode: (bytes: Uint8Array): string => FATAL_DECODER.decode(bytes),
};
