import { FormatError, SignatureError } from '../errors';
import { sign, verify } from './ed25519';
import { fromBase64, toBase64, utf8 } from './encoding';
import type { KeyPair } from './keys';
import { LIMITS } from './limits';
import { parseJsonBytes, quoteValue } from './validate';

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

/** Values an envelope's JSON may hold: the three fields, five per signature, and a little slack. */
const MAX_ENVELOPE_VALUES = 16 + 5 * LIMITS.maxEnvelopeSignatures;

/**
 * Reads envelope bytes with every cost bounded before anything is authenticated: the byte size, then
 * one linear pass that refuses more than three levels of nesting (object, signatures, signature) or
 * more values than the envelope can legitimately have, then JSON.parse, then the envelope's shape.
 * An unsigned junk envelope of `maxBytes` costs one pass over its bytes and one string of its size.
 */
export function readEnvelope(bytes: Uint8Array, file: string, maxBytes: number): Envelope {
  if (bytes.length > maxBytes) throw new FormatError(`is ${bytes.length} bytes, more than the ${maxBytes}-byte limit`, file);
  return parseEnvelope(parseJsonBytes(bytes, file, undefined, { maxDepth: 3, maxValues: MAX_ENVELOPE_VALUES }), file);
}

export function parseEnvelope(value: unknown, file = 'catalog.json'): Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('expected a DSSE envelope object', file);
  const env = value as Record<string, unknown>;
  if (typeof env.payloadType !== 'string') throw new FormatError('expected a string', file, 'payloadType');
  if (env.payloadType.length > LIMITS.maxPayloadTypeLength) {
    throw new FormatError(`must be at most ${LIMITS.maxPayloadTypeLength} characters`, file, 'payloadType');
  }
  if (typeof env.payload !== 'string') throw new FormatError('expected a base64 string', file, 'payload');
  if (!Array.isArray(env.signatures) || env.signatures.length === 0) throw new FormatError('expected a non-empty array', file, 'signatures');
  if (env.signatures.length > LIMITS.maxEnvelopeSignatures) {
    throw new FormatError(
      `has ${env.signatures.length} signatures; at most ${LIMITS.maxEnvelopeSignatures} are accepted, and none is checked beyond that`,
      file,
      'signatures',
    );
  }
  env.signatures.forEach((s: unknown, i) => {
    const sig = s as Record<string, unknown> | null;
    if (typeof sig?.keyid !== 'string' || typeof sig.sig !== 'string') {
      throw new FormatError('expected {keyid, sig} strings', file, `signatures[${i}]`);
    }
    if (sig.keyid.length > LIMITS.maxEnvelopeKeyIdLength) {
      throw new FormatError(`must be at most ${LIMITS.maxEnvelopeKeyIdLength} characters`, file, `signatures[${i}].keyid`);
    }
    if (sig.sig.length > LIMITS.maxEnvelopeSigLength) {
      throw new FormatError(`must be at most ${LIMITS.maxEnvelopeSigLength} characters`, file, `signatures[${i}].sig`);
    }
  });
  return env as unknown as Envelope;
}

/**
 * Verifies the envelope against the trusted keys and returns the payload bytes. At least one
 * signature must come from a trusted key and verify; signatures by unknown keys are ignored.
 *
 * The work is bounded by the trusted keys, not by the envelope: signatures are matched to trusted
 * keys by `keyid` first (a map lookup each), each trusted key is tried at most once (its first
 * signature), and the payload is only decoded when some signature is by a trusted key at all.
 */
export function verifyEnvelope(
  env: Envelope,
  expectedType: string,
  trusted: ReadonlyMap<string, Uint8Array>,
  subject = 'catalog.json',
): Uint8Array {
  if (env.payloadType !== expectedType) {
    throw new FormatError(`expected payloadType "${expectedType}", got ${quoteValue(env.payloadType)}`, subject, 'payloadType');
  }
  const candidates = new Map<string, string>();
  for (const { keyid, sig } of env.signatures) {
    if (trusted.has(keyid) && !candidates.has(keyid)) candidates.set(keyid, sig);
  }
  if (candidates.size === 0) {
    const shown = env.signatures.slice(0, 3).map((s) => quoteValue(s.keyid.slice(0, 12)));
    const more = env.signatures.length > 3 ? ` and ${env.signatures.length - 3} more` : '';
    throw new SignatureError(`${subject} is not signed by a trusted key (signed by: ${shown.join(', ')}${more}); check the source's pinned key`, subject);
  }
  const body = fromBase64(env.payload);
  if (!body) throw new FormatError('is not valid base64', subject, 'payload');
  const message = pae(env.payloadType, body);
  for (const [keyid, sig] of candidates) {
    const signature = fromBase64(sig);
    if (signature?.length === 64 && verify(message, signature, trusted.get(keyid)!)) return body;
  }
  throw new SignatureError(`${subject}: the signature does not verify; the catalog was altered or signed with another key`, subject);
}
