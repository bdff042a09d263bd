import { sign } from './ed25519';
import { fromHex, toBase64 } from './encoding';

/**
 * A publisher signs the 32 raw bytes of the package's SHA-256 digest (not its hex text). The
 * catalog entry carries the digest (`sha256`, hex) and this signature (`signature`, base64).
 */
export function signPackageDigest(sha256HexDigest: string, secretKey: Uint8Array): string {
  return toBase64(sign(fromHex(sha256HexDigest), secretKey));
}
