import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { verifyCatalogBytes } from '../../../src/core/catalog/verifyCatalog';
import { FormatError, MarketplaceError } from '../../../src/core/errors';
import { fromBase64, generateKeyPair, LIMITS, serializeCatalog, utf8, type TemplateEntry } from '../../../src/core/format';
import { catalogOf, entry, envelopeBytes, maxCatalogEnvelope, signedEnvelope } from './catalogBuilder';

const catalogKey = generateKeyPair();
const publisher = generateKeyPair();
const trusted = new Map([[catalogKey.keyid, catalogKey.publicKey]]);

function load(bytes: Uint8Array) {
  return verifyCatalogBytes(bytes, trusted, 'catalog.json');
}

function signed(templates: TemplateEntry[], padTo?: number): Uint8Array {
  return envelopeBytes(signedEnvelope(serializeCatalog(catalogOf(templates, publisher)), [catalogKey]), padTo);
}

function assertFormatError(fn: () => unknown, field: string | undefined, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FormatError, `expected a FormatError, got ${String(err)}`);
    assert.equal(err.code, 'E_FORMAT');
    if (field !== undefined) assert.equal(err.field, field);
    assert.match(err.message, message);
    return true;
  });
}

describe('documented catalog limits: at the limit loads, just past it is refused', () => {
  test(`a catalog of ${LIMITS.maxTemplates} templates in exactly ${LIMITS.maxCatalogBytes} bytes loads`, () => {
    const bytes = maxCatalogEnvelope(catalogKey, publisher);
    assert.equal(bytes.length, LIMITS.maxCatalogBytes);
    const payloadBytes = fromBase64((JSON.parse(utf8.decode(bytes)) as { payload: string }).payload)!.length;
    assert.ok(payloadBytes > 6 * 1024 * 1024 - 64 * 1024, `the payload is ${payloadBytes} bytes: near the most an 8 MiB envelope can carry`);
    const v = load(bytes);
    assert.equal(v.catalog.templates.length, LIMITS.maxTemplates);

    // One byte more (the same envelope, one more space) is refused by size, as a format error.
    const past = new Uint8Array(bytes.length + 1).fill(0x20);
    past.set(bytes);
    assertFormatError(() => load(past), undefined, new RegExp(`${LIMITS.maxCatalogBytes + 1} bytes, more than the ${LIMITS.maxCatalogBytes}-byte limit`));
  });

  test(`${LIMITS.maxTemplates + 1} templates are refused`, () => {
    const templates = Array.from({ length: LIMITS.maxTemplates + 1 }, (_, i) => entry(i, publisher));
    assertFormatError(() => load(signed(templates)), 'templates', new RegExp(`at most ${LIMITS.maxTemplates} items`));
    assert.equal(load(signed(templates.slice(1))).catalog.templates.length, LIMITS.maxTemplates);
  });

  test('a multi-megabyte payload of random bytes is decoded by the base64 check, not a stack overflow', () => {
    // The old regular expression overflowed V8's regexp stack from about 3.2 MiB of random data.
    const templates = [entry(0, publisher, { description: 'x' })];
    const catalog = catalogOf(templates, publisher, { name: 'Random' });
    const text = utf8.decode(serializeCatalog(catalog));
    const filler = randomBytes(4 * 1024 * 1024).toString('base64');
    // A valid payload with 5.6 MB of base64-ish noise in an ignored field: its own base64 is noisy too.
    const payload = utf8.encode(text.replace('{\n', `{\n "noise": "${filler}",\n`));
    const bytes = envelopeBytes(signedEnvelope(payload, [catalogKey]));
    assert.ok(bytes.length > 7 * 1024 * 1024 && bytes.length <= LIMITS.maxCatalogBytes);
    assert.equal(load(bytes).catalog.templates.length, 1);
  });

  const fieldLimits: { field: keyof TemplateEntry; at: unknown; past: unknown; message: RegExp }[] = [
    { field: 'id', at: `a${'b'.repeat(99)}`, past: `a${'b'.repeat(100)}`, message: /at most 100 characters/ },
    { field: 'name', at: 'n'.repeat(100), past: 'n'.repeat(101), message: /at most 100 characters/ },
    { field: 'description', at: 'd'.repeat(1000), past: 'd'.repeat(1001), message: /at most 1000 characters/ },
    { field: 'author', at: 'a'.repeat(100), past: 'a'.repeat(101), message: /at most 100 characters/ },
    { field: 'category', at: 'c'.repeat(32), past: 'c'.repeat(33), message: /at most 32 characters/ },
    {
      field: 'tags',
      at: Array.from({ length: LIMITS.maxTags }, (_, i) => `tag-${i}`),
      past: Array.from({ length: LIMITS.maxTags + 1 }, (_, i) => `tag-${i}`),
      message: new RegExp(`at most ${LIMITS.maxTags} items`),
    },
    { field: 'tags', at: ['t'.repeat(32)], past: ['t'.repeat(33)], message: /at most 32 characters/ },
    { field: 'size', at: LIMITS.maxPackageBytes, past: LIMITS.maxPackageBytes + 1, message: new RegExp(`at most ${LIMITS.maxPackageBytes}`) },
    { field: 'size', at: 1, past: 0, message: /at least 1/ },
  ];
  for (const { field, at, past, message } of fieldLimits) {
    test(`templates[].${field}: ${describeValue(at)} loads, ${describeValue(past)} is refused`, () => {
      assert.equal(load(signed([entry(0, publisher, { [field]: at })])).catalog.templates.length, 1);
      assertFormatError(() => load(signed([entry(0, publisher, { [field]: past })])), undefined, message);
    });
  }

  test(`payload nesting: ${LIMITS.maxCatalogDepth} levels load, one more is refused before parsing`, () => {
    const nest = (depth: number) => `${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}`; // inside root object and an array
    const payload = (depth: number) => {
      const text = utf8.decode(serializeCatalog(catalogOf([entry(0, publisher)], publisher)));
      return utf8.encode(text.replace('{\n', `{\n "extra": [${nest(depth)}],\n`));
    };
    assert.equal(load(envelopeBytes(signedEnvelope(payload(LIMITS.maxCatalogDepth), [catalogKey]))).catalog.version, 1);
    assertFormatError(
      () => load(envelopeBytes(signedEnvelope(payload(LIMITS.maxCatalogDepth + 1), [catalogKey]))),
      'payload',
      new RegExp(`nested more than ${LIMITS.maxCatalogDepth} levels deep`),
    );
  });

  test('whatever fails while reading a catalog is a format error, never a network error', () => {
    // A trusted-key map that blows up stands for any unexpected failure inside verification.
    const exploding = new Map(trusted);
    exploding.has = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    assert.throws(
      () => verifyCatalogBytes(signed([entry(0, publisher)]), exploding, 'catalog.json'),
      (err: unknown) => err instanceof MarketplaceError && err.code === 'E_FORMAT' && /could not be read \(Maximum call stack/.test(err.message),
    );
  });
});

function describeValue(v: unknown): string {
  if (typeof v === 'string') return v.length > 12 ? `${v.length} characters` : JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 1 ? `a tag of ${String(v[0]).length} characters` : `${v.length} tags`;
  return String(v);
}
