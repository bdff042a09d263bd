import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../../src/core/format/crc32';

/**
 * Builders for hostile zips: DEFLATE streams with the highest expansion the format allows, and
 * archives whose records are placed by hand (overlapping entries, gaps, headers that disagree).
 */

class BitWriter {
  readonly #bytes: number[] = [];
  #bit = 0;
  #current = 0;

  /** `count` bits of `value`, least significant first (DEFLATE's order for everything but Huffman codes). */
  bits(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.#push((value >>> i) & 1);
  }

  /** A Huffman code, most significant bit first. */
  code(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.#push((code >>> i) & 1);
  }

  finish(): Uint8Array {
    if (this.#bit > 0) this.#bytes.push(this.#current);
    return Uint8Array.from(this.#bytes);
  }

  #push(bit: number): void {
    this.#current |= bit << this.#bit;
    if (++this.#bit === 8) {
      this.#bytes.push(this.#current);
      this.#bit = 0;
      this.#current = 0;
    }
  }
}

/**
 * A raw DEFLATE stream that inflates to `1 + 258 * copies` zero bytes using 2 bits per 258 bytes
 * (≈1032:1, the format's maximum): one dynamic block whose only codes are literal 0, end of block
 * and length 258, with a single distance code (1). 1 MiB of it inflates to ~1 GiB.
 */
export function deflateBomb(copies: number): Uint8Array {
  const w = new BitWriter();
  bombBlock(w, copies, true);
  return w.finish();
}

/**
 * `blocks` dynamic blocks that produce nothing: each declares the full Huffman tables (which the
 * inflater must build) and then ends. The input-side worst case: maximal parsing work per byte.
 */
export function emptyDynamicBlocks(blocks: number): Uint8Array {
  const w = new BitWriter();
  for (let i = 0; i < blocks; i++) bombBlock(w, -1, i === blocks - 1);
  return w.finish();
}

/** `blocks` empty stored blocks (5 bytes each), then an empty final one. */
export function emptyStoredBlocks(blocks: number): Uint8Array {
  const out = new Uint8Array(blocks * 5 + 5);
  for (let i = 0; i <= blocks; i++) out.set([i === blocks ? 1 : 0, 0, 0, 0xff, 0xff], i * 5);
  return out;
}

/** One bomb block; `copies` < 0 writes the tables and the end code only (no output). */
function bombBlock(w: BitWriter, copies: number, final: boolean): void {
  w.bits(final ? 1 : 0, 1); // BFINAL
  w.bits(2, 2); // dynamic Huffman
  w.bits(286 - 257, 5); // HLIT: literal/length codes 0..285
  w.bits(1 - 1, 5); // HDIST: one distance code
  // Code length code lengths, in the order DEFLATE lists them: 18 → 1 bit, 1 and 2 → 2 bits.
  const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
  const clLength: Record<number, number> = { 18: 1, 2: 2, 1: 2 };
  w.bits(order.length - 4, 4); // HCLEN
  for (const sym of order) w.bits(clLength[sym] ?? 0, 3);
  // Canonical codes for the code length alphabet: 18 → 0, 1 → 10, 2 → 11.
  const cl = { 18: [0b0, 1], 1: [0b10, 2], 2: [0b11, 2] } as const;
  const zeros = (n: number) => {
    while (n > 0) {
      const run = Math.min(138, n);
      w.code(...cl[18]);
      w.bits(run - 11, 7);
      n -= run;
    }
  };
  // Literal/length lengths: 0 → 2, 1..255 → 0, 256 → 2, 257..284 → 0, 285 → 1; then distance 0 → 1.
  w.code(...cl[2]);
  zeros(255);
  w.code(...cl[2]);
  zeros(28);
  w.code(...cl[1]);
  w.code(...cl[1]);
  // Canonical literal/length codes: 285 → 0, literal 0 → 10, end of block → 11; distance 0 → 0.
  if (copies >= 0) w.code(0b10, 2);
  for (let i = 0; i < copies; i++) {
    w.code(0b0, 1); // length 258
    w.code(0b0, 1); // distance 1
  }
  w.code(0b11, 2);
}

/** CRC-32 of `n` zero bytes, computed in 1 MiB steps. */
export function zerosCrc(n: number): number {
  return crc32(new Uint8Array(n));
}

export interface CraftedLocal {
  name: string;
  /** The bytes right after the local header (compressed data, or anything at all). */
  body: Uint8Array;
  method?: 0 | 8;
  crc: number;
  compressedSize: number;
  size: number;
  flags?: number;
}

export interface CraftedCentral {
  name: string;
  method?: 0 | 8;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the local header this record points to. */
  offset: number;
  flags?: number;
}

/** A local file header followed by `body`. */
export function localRecord(l: CraftedLocal): Uint8Array {
  const name = new TextEncoder().encode(l.name);
  const h = new DataView(new ArrayBuffer(30));
  h.setUint32(0, 0x04034b50, true);
  h.setUint16(4, 20, true);
  h.setUint16(6, 0x0800 | (l.flags ?? 0), true);
  h.setUint16(8, l.method ?? 8, true);
  h.setUint16(12, 0x21, true);
  h.setUint32(14, l.crc, true);
  h.setUint32(18, l.compressedSize, true);
  h.setUint32(22, l.size, true);
  h.setUint16(26, name.length, true);
  return concat([new Uint8Array(h.buffer), name, l.body]);
}

/** The central directory and end record for `records`, placed right after `body` (all records before it). */
export function finishZip(body: Uint8Array, records: readonly CraftedCentral[], opts: { between?: Uint8Array; after?: Uint8Array } = {}): Uint8Array {
  const centrals = records.map((r) => {
    const name = new TextEncoder().encode(r.name);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800 | (r.flags ?? 0), true);
    c.setUint16(10, r.method ?? 8, true);
    c.setUint16(14, 0x21, true);
    c.setUint32(16, r.crc, true);
    c.setUint32(20, r.compressedSize, true);
    c.setUint32(24, r.size, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, r.offset, true);
    return concat([new Uint8Array(c.buffer), name]);
  });
  const cd = concat(centrals);
  const between = opts.between ?? new Uint8Array(0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, records.length, true);
  end.setUint16(10, records.length, true);
  end.setUint32(12, cd.length, true);
  end.setUint32(16, body.length, true);
  return concat([body, cd, between, new Uint8Array(end.buffer), opts.after ?? new Uint8Array(0)]);
}

/** A well-formed entry, as local record + matching central record, at `offset`. */
export function entry(name: string, data: Uint8Array, offset: number, method: 0 | 8 = 8): { local: Uint8Array; central: CraftedCentral } {
  const body = method === 8 ? new Uint8Array(deflateRawSync(data)) : data;
  const fields = { crc: crc32(data), compressedSize: body.length, size: data.length, method };
  return { local: localRecord({ name, body, ...fields }), central: { name, offset, ...fields } };
}

/** Lays out well-formed entries back to back and closes the archive. */
export function zipOf(files: readonly [string, Uint8Array][]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: CraftedCentral[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const e = entry(name, data, offset);
    locals.push(e.local);
    centrals.push(e.central);
    offset += e.local.length;
  }
  return finishZip(concat(locals), centrals);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
