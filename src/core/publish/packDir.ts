import { constants, type Dirent } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, NotFoundError, UnsafePackageError } from '../errors';
import {
  checkEntryPath, collisionKey, FILES_PREFIX, LIMITS, MANIFEST_NAME, parseManifestBytes, writePackage, type TemplateManifest,
} from '../format';
import { decodeTextFile, undeclaredPlaceholders } from './placeholders';

export interface PackedTemplate {
  manifest: TemplateManifest;
  /** The package zip; the same folder always gives the same bytes. */
  bytes: Uint8Array;
}

const FILES_DIR = FILES_PREFIX.slice(0, -1);

/**
 * Packs a template source folder (`template.json` + `files/**`) into a package. Everything a client
 * would refuse is refused here first, naming the file: a bad manifest field, a symlink or special
 * file, an unsafe path, a limit, or a `{{placeholder}}` that names no declared variable.
 */
export async function packTemplateDir(dir: string): Promise<PackedTemplate> {
  const manifestFile = join(dir, MANIFEST_NAME);
  const manifest = parseManifestBytes(
    await readRegularFile(manifestFile, LIMITS.maxManifestBytes, `${MANIFEST_NAME} may be at most ${LIMITS.maxManifestBytes} bytes`),
    manifestFile,
  );
  const files = await collectFiles(join(dir, FILES_DIR));
  checkPlaceholders(manifest, files, dir);
  const bytes = writePackage(manifest, files);
  if (bytes.length > LIMITS.maxPackageBytes) {
    throw new UnsafePackageError(`${dir}: the package would be ${bytes.length} bytes; the limit is ${LIMITS.maxPackageBytes}`);
  }
  return { manifest, bytes };
}

/** Reads every regular file below `root`, keyed by its "/"-separated path relative to `root`. */
async function collectFiles(root: string): Promise<Map<string, Uint8Array>> {
  await checkFilesFolder(root);
  const files = new Map<string, Uint8Array>();
  const seen = new Set<string>();
  let folders = 0;
  let unpacked = 0;
  const pending = [''];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    const children = await readdir(rel ? join(root, rel) : root, { withFileTypes: true });
    for (const child of children.sort(byName)) {
      const childRel = rel ? `${rel}/${child.name}` : child.name;
      const shown = join(root, childRel);
      const problem = checkEntryPath(childRel);
      if (problem) throw new UnsafePackageError(`${shown}: ${problem}`, childRel);
      if (child.isSymbolicLink()) throw new UnsafePackageError(`${shown} is a symbolic link; packages hold regular files only`, childRel);
      if (!child.isFile() && !child.isDirectory()) {
        throw new UnsafePackageError(`${shown} is not a regular file or folder; packages hold regular files only`, childRel);
      }
      // Names that differ only in case or Unicode form would overwrite each other on Windows and macOS.
      const key = collisionKey(childRel);
      if (seen.has(key)) throw new UnsafePackageError(`${shown}: another file has the same name ignoring case and Unicode normalization`, childRel);
      seen.add(key);
      if (child.isDirectory()) {
        // Folders are not packed, but a tree with more folders than a package may hold entries is a mistake; this also bounds the walk.
        if (++folders > LIMITS.maxFiles) throw new UnsafePackageError(`${root}: more than ${LIMITS.maxFiles} folders`);
        pending.push(childRel);
        continue;
      }
      if (files.size + 2 > LIMITS.maxFiles) { // template.json, the files so far and this one
        throw new UnsafePackageError(`${root}: too many files; a package holds at most ${LIMITS.maxFiles} entries, ${MANIFEST_NAME} included`);
      }
      const bytes = await readRegularFile(shown, LIMITS.maxUnpackedBytes - unpacked, `a package unpacks to at most ${LIMITS.maxUnpackedBytes} bytes`);
      unpacked += bytes.length;
      files.set(childRel, bytes);
    }
  }
  if (files.size === 0) throw new FormatError(`has no files; a template keeps its files below ${FILES_PREFIX}`, root);
  return files;
}

/** files/ itself must be a real folder: readdir would follow a symlink to anywhere. */
async function checkFilesFolder(root: string): Promise<void> {
  const stats = await lstat(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new NotFoundError(`${root} does not exist; a template keeps its files below ${FILES_PREFIX}`);
    throw err;
  });
  if (stats.isSymbolicLink()) throw new UnsafePackageError(`${root} is a symbolic link; packages hold regular files only`);
  if (!stats.isDirectory()) throw new FormatError(`is not a folder; a template keeps its files below ${FILES_PREFIX}`, root);
}

// O_NOFOLLOW closes the gap between listing a regular file and opening it (Windows has no symlink race to close).
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

async function readRegularFile(file: string, maxBytes: number, limit: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch (err) {
    if (isCode(err, 'ENOENT')) throw new NotFoundError(`${file} does not exist`);
    if (isCode(err, 'ELOOP')) throw new UnsafePackageError(`${file} is a symbolic link; packages hold regular files only`);
    throw err;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UnsafePackageError(`${file} is not a regular file`);
    if (stats.size > maxBytes) throw new UnsafePackageError(`${file} is ${stats.size} bytes, too large: ${limit}`);
    const bytes = new Uint8Array(await handle.readFile());
    // The file may have grown since stat.
    if (bytes.length > maxBytes) throw new UnsafePackageError(`${file} is ${bytes.length} bytes, too large: ${limit}`);
    return bytes;
  } finally {
    await handle.close();
  }
}

function checkPlaceholders(manifest: TemplateManifest, files: ReadonlyMap<string, Uint8Array>, dir: string): void {
  const declared = new Set(manifest.variables.map((v) => v.name));
  const refuse = (where: string, found: string[]): never => {
    const known = declared.size > 0 ? `declared: ${[...declared].join(', ')}` : 'no variables are declared';
    throw new FormatError(
      `uses ${found.join(', ')}, which ${found.length > 1 ? 'are not declared variables' : 'is not a declared variable'} (${known})`,
      where,
    );
  };
  const inTarget = undeclaredPlaceholders(manifest.targetFolder, declared);
  if (inTarget.length > 0) refuse(`${join(dir, MANIFEST_NAME)}: targetFolder`, inTarget);
  for (const [path, bytes] of files) {
    const shown = join(dir, FILES_DIR, path);
    const inPath = undeclaredPlaceholders(path, declared);
    if (inPath.length > 0) refuse(`${shown} (file name)`, inPath);
    const text = decodeTextFile(bytes);
    const inText = text === undefined ? [] : undeclaredPlaceholders(text, declared);
    if (inText.length > 0) refuse(shown, inText);
  }
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}
