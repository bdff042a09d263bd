import { FormatError, SignatureError } from '../errors';
import { sign, verify } from './ed25519';
import { fromBase64, toBase64, utf8 } from './encoding';
import type { KeyPair } from './keys';

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse), as stored in catalog.json. */
export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/**
 * DSSE's pre-authentication encoding:
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN being the ASCII decimal byte length.
 * Signing this, not the bare payload, binds the payload type and rules out ambiguity.
 */
export function pae(payloadType: string, body: Uint8Array): Uint8Array {
  const type = utf8.encode(payloadType);
  const head = utf8.encode(`DSSEv1 ${type.length} ${payloadType} ${body.length} `);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

export function signEnvelope(payloadType: string, body: Uint8Array, keys: readonly KeyPair[]): Envelope {
  const message = pae(payloadType, body);
  return {
    payloadType,
    payload: toBase64(body),
    signatures: keys.map((k) => ({ keyid: k.keyid, sig: toBase64(sign(message, k.secretKey)) })),
  };
}

export function parseEnvelope(value: unknown, file = 'catalog.json'): Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('expected a DSSE envelope object', file);
  const env = value as Record<string, unknown>;
  if (typeof env.payloadType !== 'string') throw new FormatError('expected a string', file, 'payloadType');
  if (typeof env.payload !== 'string') throw new FormatError('expected a base64 string', file, 'payload');
  if (!Array.isArray(env.signatures) || env.signatures.length === 0) throw new FormatError('expected a non-empty array', file, 'signatures');
  env.signatures.forEach((s: unknown, i) => {
    const sig = s as Record<string, unknown> | null;
    if (typeof sig?.keyid !== 'string' || typeof sig.sig !== 'string') {
      throw new FormatError('expected {keyid, sig} strings', file, `signatures[${i}]`);
    }
  });
  return env as unknown as Envelope;
}

/**
 * Verifies the envelope against the trusted keys and returns the payload bytes. At least one
 * signature must come from a trusted key and verify; signatures by unknown keys are ignored.
 */
export function verifyEnvelope(
  env: Envelope,
  expectedType: string,
  trusted: ReadonlyMap<string, Uint8Array>,
  subject = 'catalog.json',
): Uint8Array {
  if (env.payloadType !== expectedType) {
    throw new FormatError(`expected payloadType "${expectedType}", got "${env.payloadType}"`, subject, 'payloadType');
  }
  const body = fromBase64(env.payload);
  if (!body) throw new FormatError('is not valid base64', subject, 'payload');
  const message = pae(env.payloadType, body);
  let known = 0;
  for (const { keyid, sig } of env.signatures) {
    const key = trusted.get(keyid);
    if (!key) continue;
    known++;
    const signature = fromBase64(sig);
    if (signature && verify(message, signature, key)) return body;
  }
  if (known === 0) {
    const ids = env.signatures.map((s) => s.keyid.slice(0, 12)).join(', ');
    throw new SignatureError(`${subject} is not signed by a trusted key (signed by: ${ids}); check the source's pinned key`, subject);
  }
  throw new SignatureError(`${subject}: the signature does not verify; the catalog was altered or signed with another key`, subject);
}
