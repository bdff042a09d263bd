import { ExpiredError, FormatError, MarketplaceError, RollbackError } from '../errors';
import { CATALOG_PAYLOAD_TYPE, LIMITS, fromBase64, parseCatalog, readEnvelope, sha256Hex, verifyEnvelope } from '../format';
import { parseJsonBytes } from '../format/validate';
import { displayText } from '../util/displayText';
import type { TrustRecord } from './trustStore';
import type { VerifiedCatalog } from './types';

/**
 * Turns catalog.json bytes into a catalog that may be used: size limit, bounded envelope parsing
 * (depth, value and signature counts, all before any signature is checked), a signature by the
 * pinned key, then the payload's schema. Nothing in the payload is read before the signature
 * verifies. Anything that goes wrong here is about the bytes, never the network: an unexpected
 * error (a RangeError, say) is reported as a FormatError too.
 */
export function verifyCatalogBytes(bytes: Uint8Array, trusted: ReadonlyMap<string, Uint8Array>, subject: string): VerifiedCatalog {
  try {
    const envelope = readEnvelope(bytes, subject, LIMITS.maxCatalogBytes);
    const payload = verifyEnvelope(envelope, CATALOG_PAYLOAD_TYPE, trusted, subject);
    const catalog = parseCatalog(parseJsonBytes(payload, subject, 'payload', { maxDepth: LIMITS.maxCatalogDepth }), subject);
    const publisherKeys = new Map<string, Uint8Array>();
    for (const [keyid, key] of Object.entries(catalog.publishers)) publisherKeys.set(keyid, fromBase64(key)!);
    return { catalog, sha256: sha256Hex(bytes), payloadSha256: sha256Hex(payload), publisherKeys };
  } catch (err) {
    if (err instanceof MarketplaceError) throw err;
    throw new FormatError(`could not be read (${displayText(String((err as Error)?.message ?? err), { maxLength: 200 })})`, subject, undefined, { cause: err });
  }
}

/**
 * Refuses a catalog older than the last one accepted, or the same version with another signed
 * payload. Both come from the verified payload: the envelope around it (its list of signatures,
 * its whitespace) is not signed, so changing it must neither lock a client out nor let anything in.
 */
export function checkRollback(v: VerifiedCatalog, last: TrustRecord | undefined, subject: string): void {
  if (!last) return;
  if (v.catalog.version < last.version) {
    throw new RollbackError(
      `${subject}: catalog version ${v.catalog.version} is older than version ${last.version} already accepted; ` +
        'refusing a possible rollback attack (if the marketplace was really reset, its publisher must publish a higher version)',
    );
  }
  // An empty digest is a floor carried over from an older trust file: the version is all it knows.
  if (v.catalog.version === last.version && last.payloadSha256 !== '' && v.payloadSha256 !== last.payloadSha256) {
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
