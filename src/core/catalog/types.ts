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
 * - `offline`: the marketplace could not be reached (connection, DNS, TLS, timeout, too slow,
 *   truncated, 5xx, 429); the cached catalog is served for browsing. It is trusted (install, open,
 *   download) only while unexpired (`expired` false), and verification (verifyBatch, revalidate)
 *   fails until the marketplace answers again;
 * - `error`: the marketplace answered with something refused (bad signature, rollback, expired,
 *   malformed), or the rollback memory could not be used (E_TRUST_STORE); the last good catalog, if
 *   any and unexpired, is still served;
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
  /**
   * True when the catalog held is past its `expires`: it is only ever browsed (listed, searched,
   * previewed), never used to install or verify.
   */
  expired: boolean;
  templates: number;
  /** When the served catalog was last confirmed by the marketplace (epoch ms). */
  checkedAt?: number;
  error?: Error;
}

export interface VerifiedCatalog {
  catalog: Catalog;
  /** SHA-256 of the envelope bytes as fetched (unsigned framing included: not an identity). */
  sha256: string;
  /**
   * SHA-256 of the signed payload bytes: what the rollback memory and change detection compare, so
   * that re-framing the same signed catalog (an extra signature, other whitespace) changes nothing.
   */
  payloadSha256: string;
  /** Publisher keys decoded once. */
  publisherKeys: ReadonlyMap<string, Uint8Array>;
}
