import { FormatError } from '../errors';
import { fromBase64, sha256Hex, toBase64 } from './encoding';
import { loadNacl } from './tweetnacl';

/**
 * An Ed25519 key pair. `seed` is the 32-byte RFC 8032 private key; `secretKey` is tweetnacl's
 * 64-byte expanded form (seed followed by public key).
 */
export interface KeyPair {
  readonly keyid: string;
  readonly publicKey: Uint8Array;
  readonly seed: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** The size of a raw Ed25519 public key. */
const PUBLIC_KEY_BYTES = 32;

/** A key's id is the lowercase hex SHA-256 of its 32 raw public-key bytes. */
export function keyIdOf(publicKey: Uint8Array): string {
  return sha256Hex(publicKey);
}

export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  const nacl = loadNacl();
  if (seed.length !== nacl.sign.seedLength) throw new FormatError(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
  const kp = nacl.sign.keyPair.fromSeed(seed);
  return { keyid: keyIdOf(kp.publicKey), publicKey: kp.publicKey, seed: Uint8Array.from(seed), secretKey: kp.secretKey };
}

export function generateKeyPair(): KeyPair {
  const nacl = loadNacl();
  return keyPairFromSeed(nacl.randomBytes(nacl.sign.seedLength));
}

/** The private key file: JSON, written with mode 0600. */
export interface PrivateKeyFile {
  type: 'ed25519-private';
  keyid: string;
  publicKey: string;
  seed: string;
}

/** The public key file, safe to share and to pin in a client's settings. */
export interface PublicKeyFile {
  type: 'ed25519-public';
  keyid: string;
  publicKey: string;
}

export function toPrivateKeyFile(kp: KeyPair): PrivateKeyFile {
  return { type: 'ed25519-private', keyid: kp.keyid, publicKey: toBase64(kp.publicKey), seed: toBase64(kp.seed) };
}

export function toPublicKeyFile(kp: Pick<KeyPair, 'keyid' | 'publicKey'>): PublicKeyFile {
  return { type: 'ed25519-public', keyid: kp.keyid, publicKey: toBase64(kp.publicKey) };
}

function asObject(value: unknown, file: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('expected a JSON object', file);
  return value as Record<string, unknown>;
}

/** Parses a private key file and checks that its parts agree with each other. */
export function parsePrivateKeyFile(value: unknown, file = 'key file'): KeyPair {
  const obj = asObject(value, file);
  if (obj.type !== 'ed25519-private') throw new FormatError('expected "ed25519-private"', file, 'type');
  const seed = fromBase64(String(obj.seed));
  if (!seed || seed.length !== 32) throw new FormatError('expected base64 of 32 bytes', file, 'seed');
  const kp = keyPairFromSeed(seed);
  if (obj.publicKey !== toBase64(kp.publicKey)) throw new FormatError('does not match the seed', file, 'publicKey');
  if (obj.keyid !== kp.keyid) throw new FormatError('does not match the public key', file, 'keyid');
  return kp;
}

/** Parses a public key: a public key file object or a bare base64 string. */
export function parsePublicKey(value: unknown, file = 'public key'): { keyid: string; publicKey: Uint8Array } {
  const text = typeof value === 'string' ? value : asObject(value, file).publicKey;
  const publicKey = typeof text === 'string' ? fromBase64(text) : undefined;
  if (!publicKey || publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new FormatError('expected base64 of a 32-byte Ed25519 public key', file, 'publicKey');
  }
  const keyid = keyIdOf(publicKey);
  if (typeof value === 'object' && value !== null && (value as PublicKeyFile).keyid !== keyid) {
    throw new FormatError('does not match the public key', file, 'keyid');
  }
  return { keyid, publicKey };
}
