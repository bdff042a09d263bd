import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { toHex } from './encoding';

/** DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw 32-byte key follows it. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/**
 * Ed25519 verification with node:crypto (OpenSSL). Importing a raw key into a `KeyObject` costs
 * about as much as one verification, and a marketplace has few publishers, so key objects are
 * kept in a small LRU.
 *
 * OpenSSL is stricter than tweetnacl: it rejects a non-canonical `S` (S >= L), so a malleated
 * copy of a valid signature does not verify (see test/core/format/ed25519.test.ts).
 */
export class NativeEd25519 {
  readonly #keys: LRUCache<string, KeyObject>;

  constructor(keyCacheSize = 256) {
    this.#keys = new LRUCache({ max: keyCacheSize });
  }

  /** Verifies on the calling thread. Wrong lengths and undecodable keys are `false`, not errors. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const key = this.#keyObject(publicKey, signature);
    return key !== undefined && verify(null, message, key, signature);
  }

  /** Verifies on libuv's thread pool, so the event loop stays free and verifications run in parallel. */
  verifyAsync(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    const key = this.#keyObject(publicKey, signature);
    if (key === undefined) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      verify(null, message, key, signature, (err, ok) => (err ? reject(err) : resolve(ok)));
    });
  }

  /** Drops the cached key objects. */
  close(): void {
    this.#keys.clear();
  }

  #keyObject(publicKey: Uint8Array, signature: Uint8Array): KeyObject | undefined {
    if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return undefined;
    const hex = toHex(publicKey);
    let key = this.#keys.get(hex);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
      } catch {
        return undefined; // OpenSSL refused the bytes as a key: nothing can verify against it
      }
      this.#keys.set(hex, key);
    }
    return key;
  }
}
