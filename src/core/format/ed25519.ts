import { NativeEd25519 } from './nativeEd25519';
import { loadNacl } from './tweetnacl';

/**
 * Ed25519 for the whole engine. Signing and key generation use tweetnacl (pure JS, runs anywhere,
 * checked against RFC 8032). Verification, the hot path of every catalog and package check, uses
 * node:crypto: ~70x faster than tweetnacl here (test/bench/verify.bench.ts) and stricter, as it
 * refuses non-canonical signatures (S >= L) that tweetnacl accepts.
 */
const native = new NativeEd25519();

export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return loadNacl().sign.detached(message, secretKey);
}

export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return native.verify(publicKey, message, signature);
}
