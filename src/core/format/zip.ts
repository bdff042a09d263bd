import { inflateSync, zipSync, type Zippable } from 'fflate';
import { IntegrityError, UnsafePackageError } from '../errors';
import { crc32 } from './crc32';
import { FILES_PREFIX, LIMITS, MANIFEST_NAME } from './limits';
import { parseManifestBytes, serializeManifest, type TemplateManifest } from './manifest';
import { checkEntryPath } from './safePath';

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
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
}

/**
 * Reads and checks a package. Everything is checked from the central directory before anything is
 * inflated: only template.json and files/…, no traversal, absolute paths, drive letters, symlinks
 * or special files, within the entry-count and size limits; every inflated entry must match its
 * declared size and CRC-32.
 */
export function readPackage(bytes: Uint8Array, subject = 'package'): TemplatePackage {
  if (bytes.length > LIMITS.maxPackageBytes) throw new UnsafePackageError(`${subject} is larger than ${LIMITS.maxPackageBytes} bytes`);
  const entries = readCentralDirectory(bytes, subject);
  let manifestBytes: Uint8Array | undefined;
  const files = new Map<string, Uint8Array>();
  for (const e of entries) {
    if (e.isDirectory) continue;
    const data = extract(bytes, e, subject);
    if (e.name === MANIFEST_NAME) manifestBytes = data;
    else files.set(e.name.slice(FILES_PREFIX.length), data);
  }
  if (!manifestBytes) throw new UnsafePackageError(`${subject} has no ${MANIFEST_NAME}`);
  return { manifest: parseManifestBytes(manifestBytes, `${subject}: ${MANIFEST_NAME}`), files };
}

function readCentralDirectory(bytes: Uint8Array, subject: string): CentralEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const truncated = () => new IntegrityError(`${subject} is not a complete zip file (truncated or corrupt)`, subject);
  // The end-of-central-directory record is at most 22 + 65535 (comment) bytes from the end.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw truncated();
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 8, true) !== count) {
    throw new UnsafePackageError(`${subject} is a multi-part zip, which is not supported`);
  }
  if (count === 0xffff || cdOffset === 0xffffffff) throw new UnsafePackageError(`${subject} is a zip64 archive, which is not supported`);
  if (cdOffset + cdSize > eocd) throw truncated();
  if (count > LIMITS.maxFiles) throw new UnsafePackageError(`${subject} has ${count} entries; the limit is ${LIMITS.maxFiles}`);

  const entries: CentralEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== 0x02014b50) throw truncated();
    const madeBy = view.getUint16(p + 4, true);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const externalAttrs = view.getUint32(p + 38, true);
    const localOffset = view.getUint32(p + 42, true);
    if (p + 46 + nameLen > eocd) throw truncated();
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
    if (flags & 1) reject('it is encrypted');
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
    const key = name.replace(/\/$/, '').normalize('NFC').toLowerCase();
    // Two names that differ only in case would overwrite each other on Windows and macOS.
    if (seen.has(key)) reject('another entry has the same name (ignoring case)');
    seen.add(key);
    total += size;
    if (total > LIMITS.maxUnpackedBytes) throw new UnsafePackageError(`${subject} unpacks to more than ${LIMITS.maxUnpackedBytes} bytes`);
    entries.push({ name, method, crc, compressedSize, size, localOffset, isDirectory });
  }
  return entries;
}

function extract(bytes: Uint8Array, e: CentralEntry, subject: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new IntegrityError(`${subject}: entry "${e.name}" is corrupt: ${why}`, subject);
  const p = e.localOffset;
  if (p + 30 > bytes.length || view.getUint32(p, true) !== 0x04034b50) throw bad('its local header is missing');
  const start = p + 30 + view.getUint16(p + 26, true) + view.getUint16(p + 28, true);
  const end = start + e.compressedSize;
  if (end > bytes.length) throw bad('its data is truncated');
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw bad('stored size differs from its declared size');
    data = raw;
  } else {
    // A fixed-size output buffer caps memory at the declared size; the CRC catches a lying size.
    try {
      data = inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      throw bad((err as Error).message);
    }
    if (data.length !== e.size) throw bad(`inflated to ${data.length} bytes, declared ${e.size}`);
  }
  if (crc32(data) !== e.crc) throw bad('CRC-32 mismatch');
  return data;
}
