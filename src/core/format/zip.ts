import { inflateRawSync } from 'node:zlib';
import { zipSync, type Zippable } from 'fflate';
import { IntegrityError, UnsafePackageError } from '../errors';
import { crc32 } from './crc32';
import { FILES_PREFIX, LIMITS, MANIFEST_NAME } from './limits';
import { parseManifestBytes, serializeManifest, type TemplateManifest } from './manifest';
import { checkEntryPath, collisionKey } from './safePath';

/** A template package, unpacked in memory. `files` are keyed by path relative to the target folder. */
export interface TemplatePackage {
  manifest: TemplateManifest;
  files: Map<string, Uint8Array>;
}

// Zip timestamps are local DOS times; a local-time date keeps the bytes identical in every time zone.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const REGULAR_FILE = (0o100644 << 16) >>> 0;

/**
 * Writes a package deterministically: template.json first, then files/ sorted by path, fixed
 * timestamps and modes, deflate level 9. The same inputs always give the same bytes (and digest).
 */
export function writePackage(manifest: TemplateManifest, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const opts = { level: 9, mtime: FIXED_MTIME, os: 3, attrs: REGULAR_FILE } as const;
  const entries: Zippable = { [MANIFEST_NAME]: [serializeManifest(manifest), opts] };
  for (const path of [...files.keys()].sort()) {
    const problem = checkEntryPath(path);
    if (problem) throw new UnsafePackageError(`${path}: ${problem}`, path);
    entries[FILES_PREFIX + path] = [files.get(path)!, opts];
  }
  return zipSync(entries);
}


interface CentralEntry {
  name: string;
  /** The name exactly as stored, to compare with the local header's copy. */
  rawName: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
}

/** An entry whose local header was read and checked: where its data starts and where its bytes end. */
interface LocatedEntry extends CentralEntry {
  dataStart: number;
  /** One past its last byte: local header, data and data descriptor. */
  end: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_DESCRIPTOR = 0x08074b50;
/** General purpose flags: bit 0 encrypted, bit 3 sizes and CRC in a data descriptor after the data. */
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;

/**
 * Reads and checks a package. Everything is checked before anything is inflated:
 *
 * - the central directory: only template.json and files/…, no traversal, absolute paths, drive
 *   letters, symlinks or special files, within the entry-count and size limits;
 * - the layout: entries lie back to back from byte 0 to the central directory, each local header
 *   agreeing with its central record (name, method, sizes, CRC). No two entries share bytes, so
 *   the compressed bytes inflated in total never exceed the package size (no overlapping "zip bomb");
 * - inflating stops as soon as an entry's output passes its declared size, so the work is bounded
 *   by the declared sizes (at most LIMITS.maxUnpackedBytes in total), never by what the data
 *   would expand to; every inflated entry must match its declared size and CRC-32.
 */
export function readPackage(bytes: Uint8Array, subject = 'package'): TemplatePackage {
  if (bytes.length > LIMITS.maxPackageBytes) throw new UnsafePackageError(`${subject} is larger than ${LIMITS.maxPackageBytes} bytes`);
  const { entries, cdOffset } = readCentralDirectory(bytes, subject);
  const located = locateEntries(bytes, entries, cdOffset, subject);
  let manifestBytes: Uint8Array | undefined;
  const files = new Map<string, Uint8Array>();
  for (const e of located) {
    if (e.isDirectory) continue;
    const data = extract(bytes, e, subject);
    if (e.name === MANIFEST_NAME) manifestBytes = data;
    else files.set(e.name.slice(FILES_PREFIX.length), data);
  }
  if (!manifestBytes) throw new UnsafePackageError(`${subject} has no ${MANIFEST_NAME}`);
  return { manifest: parseManifestBytes(manifestBytes, `${subject}: ${MANIFEST_NAME}`), files };
}

function readCentralDirectory(bytes: Uint8Array, subject: string): { entries: CentralEntry[]; cdOffset: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const truncated = () => new IntegrityError(`${subject} is not a complete zip file (truncated or corrupt)`, subject);
  // The end-of-central-directory record is at most 22 + 65535 (comment) bytes from the end.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === SIG_END) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw truncated();
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  const commentLen = view.getUint16(eocd + 20, true);
  if (eocd + 22 + commentLen > bytes.length) throw truncated();
  // Bytes after the end record are a second archive or a payload for some other reader: ambiguous.
  if (eocd + 22 + commentLen < bytes.length) throw new UnsafePackageError(`${subject} has bytes after the end of its zip directory`);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0 || view.getUint16(eocd + 8, true) !== count) {
    throw new UnsafePackageError(`${subject} is a multi-part zip, which is not supported`);
  }
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    throw new UnsafePackageError(`${subject} is a zip64 archive, which is not supported`);
  }
  if (cdOffset + cdSize > eocd) throw truncated();
  if (cdOffset + cdSize < eocd) throw new UnsafePackageError(`${subject} has bytes between its central directory and its end record`);
  if (count > LIMITS.maxFiles) throw new UnsafePackageError(`${subject} has ${count} entries; the limit is ${LIMITS.maxFiles}`);

  const entries: CentralEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== SIG_CENTRAL) throw truncated();
    const madeBy = view.getUint16(p + 4, true);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const disk = view.getUint16(p + 34, true);
    const externalAttrs = view.getUint32(p + 38, true);
    const localOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > eocd) throw truncated();
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    let name: string;
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(rawName);
    } catch {
      throw new UnsafePackageError(`${subject} has an entry whose name is not UTF-8`);
    }
    const reject = (why: string): never => {
      throw new UnsafePackageError(`${subject}: entry "${name}" is refused: ${why}`, name);
    };
    if (flags & FLAG_ENCRYPTED) reject('it is encrypted');
    if (disk !== 0) reject('it starts on another disk of a multi-part zip');
    if (method !== 0 && method !== 8) reject(`compression method ${method} is not supported (only stored and deflate)`);
    const problem = checkEntryPath(name);
    if (problem) reject(problem);
    if (name !== MANIFEST_NAME && !(name.startsWith(FILES_PREFIX) || name === FILES_PREFIX.slice(0, -1))) {
      reject(`only ${MANIFEST_NAME} and entries below ${FILES_PREFIX} are allowed`);
    }
    // Unix hosts keep the file mode in the high 16 bits; anything but a plain file or folder is refused.
    if (madeBy >> 8 === 3) {
      const type = (externalAttrs >>> 16) & 0o170000;
      if (type === 0o120000) reject('it is a symbolic link');
      if (type !== 0 && type !== 0o100000 && type !== 0o040000) reject('it is not a regular file or folder');
    }
    const isDirectory = name.endsWith('/');
    if (isDirectory && size !== 0) reject('a folder entry has content');
    const key = collisionKey(name.replace(/\/$/, ''));
    // Two names one file system takes for the same would overwrite each other there.
    if (seen.has(key)) reject('another entry has the same name (ignoring case and Unicode normalization)');
    seen.add(key);
    total += size;
    if (total > LIMITS.maxUnpackedBytes) throw new UnsafePackageError(`${subject} unpacks to more than ${LIMITS.maxUnpackedBytes} bytes`);
    entries.push({ name, rawName, flags, method, crc, compressedSize, size, localOffset, isDirectory });
  }
  if (p !== cdOffset + cdSize) throw new UnsafePackageError(`${subject}: its central directory is not the size its end record declares`);
  return { entries, cdOffset };
}

/**
 * Reads each entry's local header and checks that the entries tile the bytes before the central
 * directory exactly: no gap (hidden data another unzip tool might read), no overlap (the same
 * compressed bytes counted for several entries), and each local header telling the same story as
 * the central directory, so every zip reader sees the same files.
 */
function locateEntries(bytes: Uint8Array, entries: readonly CentralEntry[], cdOffset: number, subject: string): LocatedEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const located = entries.map((e): LocatedEntry => {
    const bad = (why: string) => new UnsafePackageError(`${subject}: entry "${e.name}" is refused: ${why}`, e.name);
    const p = e.localOffset;
    if (p + 30 > cdOffset || view.getUint32(p, true) !== SIG_LOCAL) throw bad('its local header is missing');
    const flags = view.getUint16(p + 6, true);
    const nameLen = view.getUint16(p + 26, true);
    const extraLen = view.getUint16(p + 28, true);
    if ((flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR)) !== (e.flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR))) throw bad('its local header has other flags');
    if (view.getUint16(p + 8, true) !== e.method) throw bad('its local header names another compression method');
    const dataStart = p + 30 + nameLen + extraLen;
    if (dataStart > cdOffset) throw bad('its local header runs into the central directory');
    if (!sameBytes(bytes.subarray(p + 30, p + 30 + nameLen), e.rawName)) throw bad('its local header names another file');
    const sizes = (at: number) => ({ crc: view.getUint32(at, true), compressed: view.getUint32(at + 4, true), size: view.getUint32(at + 8, true) });
    const agrees = (s: { crc: number; compressed: number; size: number }) => s.crc === e.crc && s.compressed === e.compressedSize && s.size === e.size;
    const dataEnd = dataStart + e.compressedSize;
    if (dataEnd > cdOffset) throw bad('its data runs into the central directory');
    let end = dataEnd;
    if (e.flags & FLAG_DESCRIPTOR) {
      // Streaming writers put CRC and sizes after the data, with or without a signature.
      const signed = dataEnd + 4 <= cdOffset && view.getUint32(dataEnd, true) === SIG_DESCRIPTOR;
      const at = signed ? dataEnd + 4 : dataEnd;
      end = at + 12;
      if (end > cdOffset || !agrees(sizes(at))) throw bad('its data descriptor does not match the central directory');
      const local = sizes(p + 14);
      if (!agrees(local) && (local.crc !== 0 || local.compressed !== 0 || local.size !== 0)) {
        throw bad('its local header declares other sizes or CRC than the central directory');
      }
    } else if (!agrees(sizes(p + 14))) {
      throw bad('its local header declares other sizes or CRC than the central directory');
    }
    return { ...e, dataStart, end };
  });
  const inFileOrder = [...located].sort((a, b) => a.localOffset - b.localOffset);
  let expected = 0;
  for (const e of inFileOrder) {
    if (e.localOffset < expected) {
      throw new UnsafePackageError(`${subject}: entry "${e.name}" is refused: its bytes overlap another entry's`, e.name);
    }
    if (e.localOffset > expected) throw new UnsafePackageError(`${subject} has bytes that belong to no entry (at offset ${expected})`);
    expected = e.end;
  }
  if (expected !== cdOffset) throw new UnsafePackageError(`${subject} has bytes that belong to no entry (at offset ${expected})`);
  return located;
}

function extract(bytes: Uint8Array, e: LocatedEntry, subject: string): Uint8Array {
  const bad = (why: string) => new IntegrityError(`${subject}: entry "${e.name}" is corrupt: ${why}`, subject);
  const raw = bytes.subarray(e.dataStart, e.dataStart + e.compressedSize);
  let data: Uint8Array;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw bad('stored size differs from its declared size');
    data = raw;
  } else {
    data = inflateBounded(raw, e.size, bad);
  }
  if (crc32(data) !== e.crc) throw bad('CRC-32 mismatch');
  return data;
}

/**
 * Inflates raw DEFLATE data that must come to exactly `size` bytes. zlib stops within one 16 KiB
 * chunk of passing `size`, so an entry declaring 1 KiB that would inflate to gigabytes costs
 * microseconds, not minutes; data after the end of the DEFLATE stream is refused too.
 */
function inflateBounded(raw: Uint8Array, size: number, bad: (why: string) => Error): Uint8Array {
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // `info: true` also returns the engine, whose bytesWritten is the input actually consumed.
    result = inflateRawSync(raw, { maxOutputLength: Math.max(1, size), info: true }) as unknown as typeof result;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw bad(`inflates to more than its declared ${size} bytes`);
    throw bad((err as Error).message);
  }
  const { buffer, engine } = result;
  if (buffer.length !== size) throw bad(`inflated to ${buffer.length} bytes, declared ${size}`);
  if (engine.bytesWritten !== raw.length) throw bad('it has data after the end of its compressed stream');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
