import { ExpiredError, FormatError, RollbackError } from '../errors';
import {
  CATALOG_PAYLOAD_TYPE,
  LIMITS,
  fromBase64,
  parseCatalogBytes,
  parseEnvelope,
  sha256Hex,
  verifyEnvelope,
} from '../format';
import { parseJsonBytes } from '../format/validate';
import type { TrustRecord } from './trustStore';
import type { VerifiedCatalog } from './types';

/**
 * Turns catalog.json bytes into a catalog that may be used: size limit, envelope shape, a signature
 * by the pinned key, then the payload's schema. Nothing in the payload is read before the signature
 * verifies.
 */
export function verifyCatalogBytes(bytes: Uint8Array, trusted: ReadonlyMap<string, Uint8Array>, subject: string): VerifiedCatalog {
  if (bytes.length > LIMITS.maxCatalogBytes) throw new FormatError(`is larger than ${LIMITS.maxCatalogBytes} bytes`, subject);
  const envelope = parseEnvelope(parseJsonBytes(bytes, subject), subject);
  const payload = verifyEnvelope(envelope, CATALOG_PAYLOAD_TYPE, trusted, subject);
  const catalog = parseCatalogBytes(payload, subject);
  const publisherKeys = new Map<string, Uint8Array>();
  for (const [keyid, key] of Object.entries(catalog.publishers)) publisherKeys.set(keyid, fromBase64(key)!);
  return { catalog, sha256: sha256Hex(bytes), publisherKeys };
}

/** Refuses a catalog older than the last one accepted, or the same version with other bytes. */
export function checkRollback(v: VerifiedCatalog, last: TrustRecord | undefined, subject: string): void {
  if (!last) return;
  if (v.catalog.version < last.version) {
    throw new RollbackError(
      `${subject}: catalog version ${v.catalog.version} is older than version ${last.version} already accepted; ` +
        'refusing a possible rollback attack (if the marketplace was really reset, its publisher must publish a higher version)',
    );
  }
  if (v.catalog.version === last.version && v.sha256 !== last.sha256) {
    throw new RollbackError(
      `${subject}: catalog version ${v.catalog.version} was already accepted with different content; ` +
        'a marketplace must bump the version whenever the catalog changes',
    );
  }
}

export function checkExpiry(v: VerifiedCatalog, now: number, subject: string): void {
  if (Date.parse(v.catalog.expires) <= now) {
    throw new ExpiredError(
      `${subject}: the catalog expired at ${v.catalog.expires}; the marketplace has not re-signed it, ` +
        'so its contents may be outdated or withdrawn — ask its publisher to publish again',
    );
  }
}
