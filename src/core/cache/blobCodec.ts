import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { IntegrityError } from '../errors';
import { sha256Hex } from '../format';
import type { Compression } from './record';
import type { EntryMeta } from './types';

export interface EncodedBlob {
  data: Uint8Array;
  compression: Compression;
}

/** Deflate must save at least this share of the bytes, or inflating on every hit is not worth it. */
const MIN_SAVING = 1 / 8;
/** Values larger than this are first judged on a sample of their head. */
const SAMPLE_BYTES = 64 * 1024;
/**
 * Measured on a 1,000-template catalog (493 KiB, 2 loaded cores, median / p25 of 50): fflate level 6
 * 28.7 / 15.7 ms to 136 KiB; zlib level 6 7.1 / 4.4 ms to 128 KiB; zlib level 1 4.1 / 2.8 ms to
 * 131 KiB. Level 1 is the fastest and still smaller than fflate's output; inflating costs the same.
 */
const DEFLATE_LEVEL = 1;
/** DEFLATE cannot expand data by more than ~1032:1; a record claiming more is lying. */
const MAX_INFLATE_RATIO = 1032;

function shrinksEnough(raw: number, compressed: number): boolean {
  return compressed <= raw * (1 - MIN_SAVING);
}

/**
 * Raw DEFLATE, the format fflate wrote for earlier releases (and still inflates): node:zlib
 * compresses a catalog 5-7× faster than fflate's deflateSync, and smaller: that deflate was most of
 * a first search's cost with an empty cache. Level: see DEFLATE_LEVEL.
 */
function deflate(bytes: Uint8Array): Uint8Array {
  const out = deflateRawSync(bytes, { level: DEFLATE_LEVEL });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A zip (local file header, or the end record of an empty archive): already compressed. */
function isZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * Deflates `bytes` when that pays; otherwise keeps them raw. Zip packages are stored raw on sight
 * of their signature: a trial deflate cost 244 µs for a 444-byte package and 5.2 ms for a 1 MB one
 * (measured), to save nothing worth inflating on every hit. Other already-compressed data is
 * spotted from a 64 KiB sample, so it costs one small deflate, not a futile big one.
 */
export function encodeBlob(bytes: Uint8Array): EncodedBlob {
  if (isZip(bytes)) return { data: bytes, compression: 'none' };
  if (bytes.byteLength > SAMPLE_BYTES) {
    const sample = bytes.subarray(0, SAMPLE_BYTES);
    if (!shrinksEnough(sample.byteLength, deflate(sample).byteLength)) return { data: bytes, compression: 'none' };
  }
  const compressed = deflate(bytes);
  return shrinksEnough(bytes.byteLength, compressed.byteLength) ? { data: compressed, compression: 'deflate' } : { data: bytes, compression: 'none' };
}

/**
 * Turns stored bytes back into the value and proves they are the value `meta` describes (size and
 * SHA-256), so a corrupt or truncated blob can never be served. Throws IntegrityError.
 */
export function decodeBlob(data: Uint8Array, compression: Compression, meta: EntryMeta, subject: string): Uint8Array {
  let bytes: Uint8Array;
  if (compression === 'none') {
    bytes = data;
  } else {
    // Checked before allocating `meta.size` bytes on the word of a possibly corrupt record.
    if (meta.size > data.byteLength * MAX_INFLATE_RATIO + 1024) throw new IntegrityError('blob is too small for its recorded size', subject);
    try {
      // fflate writes raw DEFLATE; node:zlib inflates it 2.3-5x faster (measured: 310 vs 1,631 µs
      // for a 100 KB catalog, 5.3 vs 12.3 ms for 1 MB; test/bench/cache.bench.ts prints both).
      // Anything longer than the record says is refused before it is allocated.
      const out = inflateRawSync(data, { maxOutputLength: Math.max(1, meta.size) });
      // A plain Uint8Array like every other value; copied if it is a view into a larger buffer,
      // which the memory tier would otherwise keep alive whole.
      bytes = out.byteLength === out.buffer.byteLength ? new Uint8Array(out.buffer, 0, out.byteLength) : Uint8Array.from(out);
    } catch (err) {
      throw new IntegrityError(`blob does not inflate: ${err instanceof Error ? err.message : String(err)}`, subject);
    }
  }
  if (bytes.byteLength !== meta.size) throw new IntegrityError(`blob holds ${bytes.byteLength} bytes, record says ${meta.size}`, subject);
  if (sha256Hex(bytes) !== meta.sha256) throw new IntegrityError('blob does not match its SHA-256', subject);
  return bytes;
}
