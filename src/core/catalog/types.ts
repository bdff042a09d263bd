import type { Catalog, TemplateEntry } from '../format';

/** A marketplace the client reads from. */
export interface SourceConfig {
  /** Short stable name used in template references (`<source>/<id>`) and cache keys. */
  id: string;
  /** `https://…/`, `http://…/` or a `file:` URL of the marketplace root. */
  url: string;
  /** The pinned catalog public key: base64 of the 32 raw bytes (or a marketplace.pub.json object). */
  publicKey: string | { publicKey: string; keyid?: string };
  /** Display name; defaults to the catalog's own name, then the id. */
  name?: string;
  /**
   * Extra request headers for a private marketplace, typically `{ Authorization: 'Bearer <token>' }`
   * (the extension puts a source's token there). They are sent only to the origin (scheme, host,
   * port) of `url`, never to another origin or along a redirect (redirects are not followed), and
   * never appear in errors. Names the engine manages (Host, Accept-Encoding, If-None-Match,
   * Proxy-Authorization, …) are refused. Ignored for file: sources.
   */
  headers?: Record<string, string>;
}

/** A catalog entry as the client lists it: which source it came from and how to refer to it. */
export interface ListedTemplate extends TemplateEntry {
  source: string;
  /** `<source>/<id>`: unique across sources. */
  ref: string;
}

/**
 * How current a source's catalog is:
 * - `fresh`: verified within the catalog TTL;
 * - `stale`: past the TTL, served while it is revalidated in the background;
 * - `offline`: the marketplace could not be reached; the cached catalog is served;
 * - `error`: the marketplace answered with something refused (bad signature, rollback, expired);
 *   the last good catalog, if any, is still served;
 * - `empty`: nothing loaded yet.
 */
export type SourceState = 'fresh' | 'stale' | 'offline' | 'error' | 'empty';

export interface SourceStatus {
  id: string;
  name: string;
  url: string;
  state: SourceState;
  /** The catalog's `version` and `expires`, when one is loaded. */
  version?: number;
  expires?: string;
  /** True when the served catalog is past its `expires` (only ever served while offline). */
  expired: boolean;
  templates: number;
  /** When the served catalog was last confirmed by the marketplace (epoch ms). */
  checkedAt?: number;
  error?: Error;
}

export interface VerifiedCatalog {
  catalog: Catalog;
  /** SHA-256 of the envelope bytes as fetched. */
  sha256: string;
  /** Publisher keys decoded once. */
  publisherKeys: ReadonlyMap<string, Uint8Array>;
}
