/** What the cache knows about one stored value, shared by the memory (L1) and disk (L2) tiers. */
export interface EntryMeta {
  /** Hex SHA-256 of the UNCOMPRESSED bytes. */
  sha256: string;
  /** Uncompressed byte length. */
  size: number;
  /** Epoch ms when the bytes were stored (or last revalidated). */
  storedAt: number;
  /** Epoch ms; from then on the entry is stale (still returned when `allowStale`). */
  expiresAt: number;
  /** Validators from the origin, for conditional revalidation. */
  etag?: string;
  lastModified?: string;
}

export interface CachedItem {
  bytes: Uint8Array;
  meta: EntryMeta;
  stale: boolean;
}

export interface SetOptions {
  /** Freshness lifetime of this entry; defaults to the cache's `ttlMs`. */
  ttlMs?: number;
  /**
   * The hex SHA-256 of the bytes, when the caller has just checked it (a verified download): saves
   * hashing them again. A wrong one only makes the entry fail its digest check on read (a miss).
   */
  sha256?: string;
  etag?: string;
  lastModified?: string;
}

export interface GetOptions {
  /** Return an expired entry (flagged `stale: true`) instead of a miss, e.g. as an offline fallback. */
  allowStale?: boolean;
  /**
   * The digest the value is expected to have (content-addressed keys know it): the disk tier then
   * reads the record and the blob at once instead of one after the other. Only a hint: a record
   * naming another digest is still honoured.
   */
  sha256?: string;
  /** The size the value is expected to have: a small one is stored in its record, so no blob is read ahead. */
  size?: number;
  /**
   * A listing of the records made a moment ago (DiskCache.listRecords): a key it does not hold is a
   * miss without touching the disk. Only a hint, see listRecords.
   */
  listed?: RecordListing;
}

/** The names of the records a disk cache folder held when it was listed. */
export interface RecordListing {
  /** File names of records (`<sha256 of key>.json`). */
  readonly names: ReadonlySet<string>;
}
