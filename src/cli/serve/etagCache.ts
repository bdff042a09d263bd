import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { LRUCache } from 'lru-cache';

/**
 * Strong ETags (the file's SHA-256) cached per (path, size, mtime, inode): hashing happens once per
 * file version, and a file replaced by rename gets a new inode, hence a fresh hash.
 */
export class ETagCache {
  readonly #cache: LRUCache<string, string>;

  constructor(max = 1024) {
    this.#cache = new LRUCache({ max });
  }

  async get(path: string, stats: Stats, handle: FileHandle): Promise<string> {
    const key = `${path}\0${stats.size}\0${stats.mtimeMs}\0${stats.ino}`;
    let etag = this.#cache.get(key);
    if (etag === undefined) {
      const hash = createHash('sha256');
      // Read through the open handle, so the hash is of the very file that will be sent.
      if (stats.size > 0) {
        for await (const chunk of handle.createReadStream({ start: 0, end: stats.size - 1, autoClose: false })) hash.update(chunk as Buffer);
      }
      etag = `"${hash.digest('hex')}"`;
      this.#cache.set(key, etag);
    }
    return etag;
  }

  clear(): void {
    this.#cache.clear();
  }
}
