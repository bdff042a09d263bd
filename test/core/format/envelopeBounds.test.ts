import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyCatalogBytes } from '../../../src/core/catalog/verifyCatalog';
import { FormatError, SignatureError } from '../../../src/core/errors';
import { CATALOG_PAYLOAD_TYPE, generateKeyPair, LIMITS, readEnvelope, serializeCatalog, toBase64, utf8, verifyEnvelope, type Envelope } from '../../../src/core/format';
import { catalogOf, entry, envelopeBytes, signedEnvelope } from './catalogBuilder';

const catalogKey = generateKeyPair();
const publisher = generateKeyPair();
const stranger = generateKeyPair();
const SIG = toBase64(new Uint8Array(64).fill(1));

/** A trusted-key map that counts lookups of a key's bytes: one per signature verification attempted. */
class CountingKeys extends Map<string, Uint8Array> {
  gets = 0;
  override get(key: string): Uint8Array | undefined {
    this.gets++;
    return super.get(key);
  }
}

function trustedKeys(): CountingKeys {
  return new CountingKeys([[catalogKey.keyid, catalogKey.publicKey]]);
}

const payload = serializeCatalog(catalogOf([entry(0, publisher)], publisher));

function refusedBeforeParsing(bytes: Uint8Array, message: RegExp): void {
  assert.throws(
    () => readEnvelope(bytes, 'catalog.json', LIMITS.maxCatalogBytes),
    (err: unknown) => err instanceof FormatError && message.test(err.message),
  );
}

describe('work before authentication is bounded', () => {
  test('an envelope nested deeper than its structure needs is refused before JSON.parse', () => {
    refusedBeforeParsing(utf8.encode('['.repeat(1_000_000)), /nested more than 3 levels deep/);
    const env = signedEnvelope(payload, [catalogKey]);
    const deep = JSON.stringify({ ...env, signatures: [{ ...env.signatures[0], extra: [[[]]] }] });
    refusedBeforeParsing(utf8.encode(deep), /nested more than 3 levels deep/);
  });

  test('an envelope with more values than its signatures can account for is refused before JSON.parse', () => {
    refusedBeforeParsing(utf8.encode(`[${'0,'.repeat(2_000_000)}0]`), /more than \d+ JSON values/);
    refusedBeforeParsing(utf8.encode(`{"a":[${'{},'.repeat(100_000)}{}]}`), /more than \d+ JSON values/);
  });

  test('quotes, brackets and escapes inside strings do not count as structure', () => {
    const env = signedEnvelope(payload, [catalogKey]);
    const tricky = { ...env, note: '[[[[{{{{ \\" \\\\" ]]]] "}' };
    assert.equal(readEnvelope(envelopeBytes(tricky as Envelope), 'catalog.json', LIMITS.maxCatalogBytes).payload, env.payload);
  });

  test(`at most ${LIMITS.maxEnvelopeSignatures} signatures; more are refused before any is checked`, () => {
    const valid = signedEnvelope(payload, [catalogKey]);
    const junk = Array.from({ length: LIMITS.maxEnvelopeSignatures - 1 }, () => ({ keyid: stranger.keyid, sig: SIG }));
    const atLimit: Envelope = { ...valid, signatures: [...junk, ...valid.signatures] };
    const keys = trustedKeys();
    assert.deepEqual(verifyEnvelope(readEnvelope(envelopeBytes(atLimit), 'c', LIMITS.maxCatalogBytes), CATALOG_PAYLOAD_TYPE, keys), payload);

    const past: Envelope = { ...atLimit, signatures: [{ keyid: stranger.keyid, sig: SIG }, ...atLimit.signatures] };
    assert.throws(
      () => readEnvelope(envelopeBytes(past), 'catalog.json', LIMITS.maxCatalogBytes),
      (err: unknown) =>
        err instanceof FormatError && err.field === 'signatures' && new RegExp(`has ${LIMITS.maxEnvelopeSignatures + 1} signatures`).test(err.message),
    );
  });

  test('each trusted key is tried once, whatever the number of signatures claiming it', () => {
    const valid = signedEnvelope(payload, [catalogKey]);
    const forged: Envelope = { ...valid, signatures: Array.from({ length: LIMITS.maxEnvelopeSignatures }, () => ({ keyid: catalogKey.keyid, sig: SIG })) };
    const keys = trustedKeys();
    assert.throws(() => verifyEnvelope(forged, CATALOG_PAYLOAD_TYPE, keys), (err: unknown) => err instanceof SignatureError && /does not verify/.test(err.message));
    assert.equal(keys.gets, 1, 'one verification, not sixteen');
  });

  test('signatures by unknown keys cost no verification and the payload is not even decoded', () => {
    // Not base64 at all: decoding it would be a FormatError; the refusal comes first.
    const env: Envelope = { payloadType: CATALOG_PAYLOAD_TYPE, payload: '!'.repeat(1_000_000), signatures: [{ keyid: stranger.keyid, sig: SIG }] };
    const keys = trustedKeys();
    assert.throws(() => verifyEnvelope(env, CATALOG_PAYLOAD_TYPE, keys), (err: unknown) => err instanceof SignatureError && /not signed by a trusted key/.test(err.message));
    assert.equal(keys.gets, 0);
  });

  test('key ids, signatures and payload types have length caps, and error messages quote at most three key ids', () => {
    const valid = signedEnvelope(payload, [catalogKey]);
    const long = (field: 'keyid' | 'sig', length: number): Envelope => ({ ...valid, signatures: [{ ...valid.signatures[0]!, [field]: 'a'.repeat(length) }] });
    for (const [field, max] of [['keyid', LIMITS.maxEnvelopeKeyIdLength], ['sig', LIMITS.maxEnvelopeSigLength]] as const) {
      assert.throws(() => readEnvelope(envelopeBytes(long(field, max + 1)), 'c', LIMITS.maxCatalogBytes), (err: unknown) => err instanceof FormatError && err.field === `signatures[0].${field}`);
      assert.doesNotThrow(() => readEnvelope(envelopeBytes(long(field, max)), 'c', LIMITS.maxCatalogBytes));
    }
    assert.throws(
      () => readEnvelope(envelopeBytes({ ...valid, payloadType: 't'.repeat(LIMITS.maxPayloadTypeLength + 1) }), 'c', LIMITS.maxCatalogBytes),
      (err: unknown) => err instanceof FormatError && err.field === 'payloadType',
    );
    const many: Envelope = { ...valid, signatures: Array.from({ length: 10 }, (_, i) => ({ keyid: `\u001b[31m${i}`.padEnd(64, 'f'), sig: SIG })) };
    assert.throws(
      () => verifyEnvelope(many, CATALOG_PAYLOAD_TYPE, trustedKeys()),
      (err: unknown) => {
        assert.ok(err instanceof SignatureError);
        assert.match(err.message, /and 7 more/);
        assert.ok(!err.message.includes('\u001b'), 'no raw escape from the envelope reaches the message');
        return true;
      },
    );
  });

  test('a junk envelope the size of the limit is refused as a format or signature error', () => {
    const huge = LIMITS.maxCatalogBytes;
    const junk: Uint8Array[] = [
      utf8.encode(' '.repeat(huge - 2) + '{}'),
      utf8.encode(JSON.stringify({ payloadType: CATALOG_PAYLOAD_TYPE, payload: 'A'.repeat(huge - 400), signatures: [{ keyid: stranger.keyid, sig: SIG }] })),
      utf8.encode(JSON.stringify({ payloadType: CATALOG_PAYLOAD_TYPE, payload: 'A'.repeat(huge - 400), signatures: [{ keyid: catalogKey.keyid, sig: SIG }] })),
      new Uint8Array(huge).fill(0x22), // one long unterminated string
    ];
    for (const bytes of junk) {
      assert.ok(bytes.length <= huge);
      assert.throws(
        () => verifyCatalogBytes(bytes, trustedKeys(), 'catalog.json'),
        (err: unknown) => (err instanceof FormatError || err instanceof SignatureError) && !/RangeError/.test(String(err)),
      );
    }
  });
});
