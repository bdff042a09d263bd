import type { FileHandle } from 'node:fs/promises';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AbortedError, FormatError, NotFoundError, TooLargeError } from '../errors';
import { checkFetchOptions } from './fetchOptions';
import { relativePathSegments } from './relativePath';
import type { FetchOptions, FetchResult, Fetcher } from './types';

/** Reads in slices so a cancel or a progress report never waits for a whole large file. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * A marketplace in a local folder (a `file:` source, like the embedded sample). It mimics a
 * static web server: a weak ETag of size and modification time, 304 when it still matches, and
 * the same size cap and path rules as HTTP, so both kinds of source behave alike.
 */
export class FileFetcher implements Fetcher {
  readonly #root: string;

  constructor(rootDir: string) {
    this.#root = resolve(rootDir);
  }

  get rootDir(): string {
    return this.#root;
  }

  async get(relativePath: string, opts: FetchOptions): Promise<FetchResult> {
    checkFetchOptions(opts);
    this.#throwIfAborted(relativePath, opts.signal);
    const file = await this.#locate(relativePath);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      throw this.#missing(relativePath, err);
    }
    try {
      // Stat the open handle, not the path, so size and content describe the same file.
      const stat = await handle.stat();
      if (!stat.isFile()) throw this.#missing(relativePath);
      const etag = `W/"${stat.size}-${stat.mtimeMs}"`;
      const lastModified = stat.mtime.toUTCString();
      if (isNotModified(opts, etag, stat.mtime)) return { status: 304, etag, lastModified, attempts: 1 };
      if (stat.size > opts.maxBytes) throw this.#tooLarge(relativePath, opts.maxBytes, stat.size);
      const bytes = await this.#readCapped(handle, relativePath, stat.size, opts);
      return { status: 200, bytes, etag, lastModified, attempts: 1 };
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    // Every read closes its own file handle; nothing stays open between calls.
  }

  /** Maps a catalog path to a real file below the root, refusing anything that leaves it, symbolic links included. */
  async #locate(relativePath: string): Promise<string> {
    const segments = relativePathSegments(relativePath);
    if (segments.some((s) => s.includes(':'))) {
      // On Windows a ":" names a drive or an alternate data stream.
      throw new FormatError('not a safe marketplace path: must not contain ":"', relativePath);
    }
    const candidate = join(this.#root, ...segments);
    if (!isInside(this.#root, candidate)) throw new FormatError(`not a safe marketplace path: leaves ${this.#root}`, relativePath);
    let realRoot: string;
    let realFile: string;
    try {
      realRoot = await realpath(this.#root);
      realFile = await realpath(candidate);
    } catch (err) {
      throw this.#missing(relativePath, err);
    }
    if (!isInside(realRoot, realFile)) {
      throw new FormatError(`not a safe marketplace path: a symbolic link leads outside ${this.#root}`, relativePath);
    }
    return realFile;
  }

  /** Reads at most `maxBytes` (+1 to notice a file that grew since it was measured). */
  async #readCapped(handle: FileHandle, relativePath: string, size: number, opts: FetchOptions): Promise<Uint8Array> {
    const buffer = new Uint8Array(Math.min(size, opts.maxBytes) + 1);
    let filled = 0;
    // Each pass reads at least one byte or stops, so this ends within buffer.length passes.
    while (filled < buffer.length) {
      this.#throwIfAborted(relativePath, opts.signal);
      const length = Math.min(READ_CHUNK_BYTES, buffer.length - filled);
      const { bytesRead } = await handle.read(buffer, filled, length, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      opts.onProgress?.(Math.min(filled, size), size);
    }
    if (filled > opts.maxBytes) throw this.#tooLarge(relativePath, opts.maxBytes, filled);
    return buffer.subarray(0, filled);
  }

  #throwIfAborted(relativePath: string, signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new AbortedError(`Reading ${relativePath} from ${this.#root} was cancelled.`, { cause: signal.reason });
  }

  #missing(relativePath: string, cause?: unknown): NotFoundError {
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (cause === undefined || code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      return new NotFoundError(`No file "${relativePath}" in the marketplace folder ${this.#root} — check the source folder or refresh the catalog.`);
    }
    // Permissions and the like: still "cannot get this file", with the system's reason attached.
    const why = cause instanceof Error ? cause.message : String(cause);
    return new NotFoundError(`Cannot read "${relativePath}" in the marketplace folder ${this.#root}: ${why}`);
  }

  #tooLarge(relativePath: string, maxBytes: number, size: number): TooLargeError {
    return new TooLargeError(`${relativePath} in ${this.#root} is ${size} bytes, more than the ${maxBytes}-byte limit — it is not a valid marketplace file.`);
  }
}

/** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2); ETags compare weakly. */
function isNotModified(opts: FetchOptions, etag: string, mtime: Date): boolean {
  if (opts.etag !== undefined) return weak(opts.etag) === weak(etag);
  if (opts.lastModified === undefined) return false;
  const since = Date.parse(opts.lastModified);
  // HTTP dates have whole seconds; compare at that precision or every file looks modified.
  return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
}

function weak(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
