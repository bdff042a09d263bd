import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { utf8 } from '../format/encoding';
import { writeFileAtomic } from '../util/atomicFile';

/** What was last accepted from one marketplace: the basis of rollback protection. */
export interface TrustRecord {
  version: number;
  sha256: string;
}

/**
 * Remembers, per source, the highest catalog version accepted and its digest, in `trust.json`
 * beside the cache. It is deliberately not part of the cache: clearing the cache must not reopen
 * the door to a rollback. Two windows may share the file, so every update re-reads it and only
 * ever moves a version forward.
 */
export class TrustStore {
  private records = new Map<string, TrustRecord>();

  private constructor(private readonly file: string) {}

  static async open(dir: string): Promise<TrustStore> {
    await mkdir(dir, { recursive: true });
    const store = new TrustStore(join(dir, 'trust.json'));
    store.records = await store.read();
    return store;
  }

  get(sourceId: string): TrustRecord | undefined {
    return this.records.get(sourceId);
  }

  async accept(sourceId: string, record: TrustRecord): Promise<void> {
    const onDisk = await this.read();
    const known = onDisk.get(sourceId);
    if (!known || record.version > known.version) onDisk.set(sourceId, record);
    this.records = onDisk;
    try {
      await writeFileAtomic(this.file, utf8.encode(JSON.stringify(Object.fromEntries(onDisk), null, 1) + '\n'));
    } catch (err) {
      // A full disk or read-only folder: this process still remembers the version (rollback
      // protection holds for its lifetime) and the file catches up on the next accept.
      if (typeof (err as NodeJS.ErrnoException)?.code !== 'string') throw err;
    }
  }

  private async read(): Promise<Map<string, TrustRecord>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return new Map(this.records);
    }
    const out = new Map<string, TrustRecord>();
    try {
      const parsed = JSON.parse(text) as Record<string, Partial<TrustRecord>>;
      for (const [id, r] of Object.entries(parsed)) {
        if (Number.isSafeInteger(r.version) && typeof r.sha256 === 'string') out.set(id, { version: r.version!, sha256: r.sha256 });
      }
    } catch {
      // A damaged trust file loses nothing we could not rebuild except rollback memory; keep what we had.
      return new Map(this.records);
    }
    // Never forget a version this process accepted, whatever another window wrote.
    for (const [id, r] of this.records) {
      const other = out.get(id);
      if (!other || other.version < r.version) out.set(id, r);
    }
    return out;
  }
}
