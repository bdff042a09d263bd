/** Options for one download. */
export interface FetchOptions {
  /** Validators from an earlier response; sent as If-None-Match / If-Modified-Since. */
  etag?: string;
  lastModified?: string;
  /** Hard cap on the body: the download stops as soon as it is known to exceed this. */
  maxBytes: number;
  /** Cancels the download (and any wait before a retry) with an AbortedError. */
  signal?: AbortSignal;
  /** Called as body bytes arrive; `totalBytes` is the announced size when there is one. Restarts at 0 on a retry. */
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

/** A download: the body (200) or "your copy is still current" (304). `attempts` counts retries too. */
export type FetchResult =
  | { status: 200; bytes: Uint8Array; etag?: string; lastModified?: string; attempts: number }
  | { status: 304; etag?: string; lastModified?: string; attempts: number };

/** Reads files of one marketplace by their path relative to its root. */
export interface Fetcher {
  get(relativePath: string, opts: FetchOptions): Promise<FetchResult>;
  close(): Promise<void>;
}
