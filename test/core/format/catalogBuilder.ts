import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import {
  CATALOG_PAYLOAD_TYPE,
  LIMITS,
  pae,
  serializeCatalog,
  toBase64,
  utf8,
  type Catalog,
  type Envelope,
  type KeyPair,
  type TemplateEntry,
} from '../../../src/core/format';

/** DER header of an Ed25519 PKCS#8 private key (RFC 8410): the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Ed25519 signing with node:crypto: the same signatures as tweetnacl (Ed25519 is deterministic), but
 * a 6 MiB catalog is signed in milliseconds instead of seconds.
 */
export function fastSign(message: Uint8Array, key: KeyPair): Uint8Array {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(key.seed)]);
  return new Uint8Array(nodeSign(null, message, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })));
}

export function signedEnvelope(payload: Uint8Array, keys: readonly KeyPair[], payloadType = CATALOG_PAYLOAD_TYPE): Envelope {
  const message = pae(payloadType, payload);
  return { payloadType, payload: toBase64(payload), signatures: keys.map((k) => ({ keyid: k.keyid, sig: toBase64(fastSign(message, k)) })) };
}

export function envelopeBytes(envelope: Envelope, padTo?: number): Uint8Array {
  const text = JSON.stringify(envelope);
  // JSON allows trailing whitespace: the envelope is the same, only its byte count grows.
  return utf8.encode(padTo === undefined ? text : text.padEnd(padTo, ' '));
}

/** A catalog entry that passes the schema. Its digest and signature are placeholders: nothing is downloaded. */
export function entry(i: number, publisher: KeyPair, overrides: Partial<TemplateEntry> = {}): TemplateEntry {
  const id = `t${String(i).padStart(5, '0')}`;
  return {
    id,
    name: `Template ${i}`,
    version: '1.0.0',
    description: '',
    category: 'documentation',
    tags: ['docs'],
    author: 'Limits',
    downloads: i,
    updatedAt: '2026-11-01T00:00:00Z',
    size: 1000,
    sha256: 'ab'.repeat(32),
    path: `packages/${id}-1.0.0.zip`,
    publisher: publisher.keyid,
    signature: toBase64(new Uint8Array(64).fill(7)),
    ...overrides,
  };
}

export function catalogOf(templates: TemplateEntry[], publisher: KeyPair, opts: Partial<Catalog> = {}): Catalog {
  return {
    name: 'Limits',
    version: 1,
    expires: '2099-01-01T00:00:00Z',
    publishers: { [publisher.keyid]: toBase64(publisher.publicKey) },
    templates,
    ...opts,
  };
}

/**
 * A valid catalog at the documented maximum: LIMITS.maxTemplates entries whose descriptions are as
 * long as the envelope allows, the envelope padded to exactly LIMITS.maxCatalogBytes.
 */
export function maxCatalogEnvelope(catalogKey: KeyPair, publisher: KeyPair, opts: { templates?: number; padTo?: number } = {}): Uint8Array {
  const count = opts.templates ?? LIMITS.maxTemplates;
  const padTo = opts.padTo ?? LIMITS.maxCatalogBytes;
  const build = (descriptionLength: number) =>
    signedEnvelope(serializeCatalog(catalogOf(Array.from({ length: count }, (_, i) => entry(i, publisher, { description: 'd'.repeat(descriptionLength) })), publisher)), [catalogKey]);
  const base = envelopeBytes(build(0)).length;
  // Each description character adds one payload byte to each entry: 4/3 of a byte of base64.
  let length = Math.min(1000, Math.floor(((padTo - base - 64) * 3) / 4 / count));
  let bytes = envelopeBytes(build(length));
  while (bytes.length > padTo && length > 0) bytes = envelopeBytes(build(--length));
  if (bytes.length > padTo) throw new Error(`${count} templates do not fit in ${padTo} bytes`);
  return envelopeBytes(JSON.parse(utf8.decode(bytes)) as Envelope, padTo);
}
