import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FormatError, IntegrityError, SignatureError, UnsafePackageError } from '../../../src/core/errors';
import {
  CATALOG_PAYLOAD_TYPE, fromBase64, generateKeyPair, LIMITS, parseCatalogBytes, parseEnvelope, parsePublicKey, readPackage,
  serializeManifest, sha256, sha256Hex, signEnvelope, toBase64, toPublicKeyFile, utf8, verify, verifyEnvelope,
  type Catalog, type KeyPair,
} from '../../../src/core/format';
import { packTemplateDir, publishPackages } from '../../../src/core/publish';
import { startStaticServer, type StaticServer } from '../../../src/cli/serve/staticServer';
import { sampleManifest, SAMPLE_FILES, writeTemplateDir } from '../publish/templateFixture';
import { rawZip, type RawEntry } from './rawZip';

const NOW = new Date('2026-11-01T00:00:00Z');

let tmp: string;
let server: StaticServer;
let catalogKey: KeyPair;
/** What a client has pinned: the public key file, obtained out of band. */
let pinned: { keyid: string; publicKey: Uint8Array };

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'roundtrip-'));
  catalogKey = generateKeyPair();
  pinned = parsePublicKey(JSON.parse(JSON.stringify(toPublicKeyFile(catalogKey))));
  const { bytes } = await packTemplateDir(await writeTemplateDir(join(tmp, 'src', 'readme')));
  await publishPackages({ marketplaceDir: join(tmp, 'www', 'good'), packages: [bytes], catalogKey, now: NOW, name: 'Round trip' });
  server = await startStaticServer({ root: join(tmp, 'www') });
});

after(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

async function get(path: string): Promise<Uint8Array> {
  const res = await fetch(new URL(path, server.url));
  assert.equal(res.status, 200, `GET ${path}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** What a client does with catalog.json: verify the exact bytes with the pinned key, then parse. */
function openCatalog(bytes: Uint8Array, key = pinned): Catalog {
  const envelope = parseEnvelope(JSON.parse(utf8.decode(bytes)));
  const payload = verifyEnvelope(envelope, CATALOG_PAYLOAD_TYPE, new Map([[key.keyid, key.publicKey]]));
  return parseCatalogBytes(payload);
}

/** Serves a catalog.json built by hand below `www/<name>/`. */
async function serveCatalog(name: string, envelope: unknown): Promise<string> {
  await mkdir(join(tmp, 'www', name), { recursive: true });
  await writeFile(join(tmp, 'www', name, 'catalog.json'), JSON.stringify(envelope));
  return `${name}/catalog.json`;
}

describe('pack -> publish -> serve -> fetch -> verify', () => {
  test('a template comes back byte for byte, with a verified catalog and package signature', async () => {
    const catalog = openCatalog(await get('good/catalog.json'));
    assert.equal(catalog.name, 'Round trip');
    assert.equal(catalog.version, 1);
    assert.deepEqual(Object.keys(catalog.publishers), [catalogKey.keyid]);
    const entry = catalog.templates.find((t) => t.id === 'acme.readme');
    assert.ok(entry, 'the catalog lists the template');

    const bytes = await get(`good/${entry.path}`);
    assert.equal(bytes.length, entry.size);
    assert.equal(sha256Hex(bytes), entry.sha256);
    const publisherKey = fromBase64(catalog.publishers[entry.publisher]!)!;
    const signature = fromBase64(entry.signature)!;
    assert.ok(verify(sha256(bytes), signature, publisherKey), 'the signature covers the raw digest');
    assert.ok(!verify(utf8.encode(entry.sha256), signature, publisherKey), 'and not its hex text');

    const pkg = readPackage(bytes);
    assert.deepEqual(serializeManifest(pkg.manifest), serializeManifest(sampleManifest()));
    assert.deepEqual(
      Object.fromEntries([...pkg.files].map(([path, data]) => [path, utf8.decode(data)])),
      SAMPLE_FILES,
    );
  });

  test('marketplace.pub.json is the catalog key', async () => {
    assert.deepEqual(parsePublicKey(JSON.parse(utf8.decode(await get('good/marketplace.pub.json')))), pinned);
  });
});

describe('a client refuses a bad catalog', () => {
  test('a tampered payload', async () => {
    const envelope = parseEnvelope(JSON.parse(utf8.decode(await get('good/catalog.json'))));
    const payload = utf8.decode(fromBase64(envelope.payload)!).replace('"downloads": 0', '"downloads": 999999');
    assert.match(payload, /999999/, 'the test really changed the payload');
    const served = await get(await serveCatalog('tampered', { ...envelope, payload: toBase64(utf8.encode(payload)) }));
    assert.throws(
      () => openCatalog(served),
      (err: unknown) =>
        err instanceof SignatureError && err.code === 'E_SIGNATURE' && /catalog\.json: the signature does not verify/.test(err.message),
    );
  });

  test('a catalog signed by another key', async () => {
    const envelope = parseEnvelope(JSON.parse(utf8.decode(await get('good/catalog.json'))));
    const payload = fromBase64(envelope.payload)!;
    const other = generateKeyPair();
    const served = await get(await serveCatalog('other-key', signEnvelope(CATALOG_PAYLOAD_TYPE, payload, [other])));
    assert.throws(
      () => openCatalog(served),
      (err: unknown) =>
        err instanceof SignatureError && err.code === 'E_SIGNATURE' && err.message.includes('not signed by a trusted key') &&
        err.message.includes(other.keyid.slice(0, 12)),
    );
    // Another key's signature under the pinned key's id is no better.
    const forged = signEnvelope(CATALOG_PAYLOAD_TYPE, payload, [other]);
    forged.signatures[0]!.keyid = catalogKey.keyid;
    const servedForged = await get(await serveCatalog('forged-keyid', forged));
    assert.throws(
      () => openCatalog(servedForged),
      (err: unknown) => err instanceof SignatureError && err.code === 'E_SIGNATURE' && /the signature does not verify/.test(err.message),
    );
  });

  test('a correctly signed catalog with a missing field', async () => {
    const catalog = openCatalog(await get('good/catalog.json'));
    const broken = JSON.parse(JSON.stringify(catalog)) as { templates: Record<string, unknown>[] };
    delete broken.templates[0]!.sha256;
    const envelope = signEnvelope(CATALOG_PAYLOAD_TYPE, utf8.encode(JSON.stringify(broken)), [catalogKey]);
    const served = await get(await serveCatalog('missing-field', envelope));
    assert.throws(
      () => openCatalog(served),
      (err: unknown) =>
        err instanceof FormatError && err.code === 'E_FORMAT' && err.field === 'templates[0].sha256' &&
        err.message === 'catalog.json: templates[0].sha256: is missing',
    );
  });
});

const MANIFEST: RawEntry = { name: 'template.json', data: serializeManifest(sampleManifest()) };
const file = (name: string, text = 'hello\n'): RawEntry => ({ name, data: utf8.encode(text) });

function assertRefused(bytes: Uint8Array, errorClass: typeof UnsafePackageError | typeof IntegrityError | typeof FormatError, ...mustMention: (string | RegExp)[]) {
  assert.throws(
    () => readPackage(bytes),
    (err: unknown) => {
      assert.ok(err instanceof errorClass, `expected ${errorClass.name}, got ${String(err)}`);
      for (const m of mustMention) {
        if (typeof m === 'string') assert.ok(err.message.includes(m), `"${err.message}" should mention ${m}`);
        else assert.match(err.message, m);
      }
      return true;
    },
  );
}

describe('a client refuses a bad package', () => {
  test('the hand-made zip writer makes packages readPackage accepts', () => {
    const pkg = readPackage(rawZip([MANIFEST, file('files/README.md', '# hi\n'), { ...file('files/raw.txt'), method: 0 }]));
    assert.equal(pkg.manifest.id, 'acme.readme');
    assert.deepEqual([...pkg.files.keys()], ['README.md', 'raw.txt']);
  });

  test('a truncated zip', async () => {
    const catalog = openCatalog(await get('good/catalog.json'));
    const bytes = await get(`good/${catalog.templates[0]!.path}`);
    for (const cut of [1, 22, Math.floor(bytes.length / 2)]) {
      const truncated = bytes.subarray(0, bytes.length - cut);
      assert.notEqual(sha256Hex(truncated), catalog.templates[0]!.sha256, 'the digest check would catch it first');
      assertRefused(truncated, IntegrityError, 'not a complete zip file (truncated or corrupt)');
    }
    assert.throws(() => readPackage(bytes.subarray(0, bytes.length - 1)), { code: 'E_INTEGRITY' });
  });

  test('a template.json with a missing field', () => {
    const { version: _version, ...withoutVersion } = sampleManifest();
    const bytes = rawZip([{ name: 'template.json', data: utf8.encode(JSON.stringify(withoutVersion)) }, file('files/a.md')]);
    assertRefused(bytes, FormatError, 'package: template.json: version: is missing');
    assert.throws(() => readPackage(bytes), { code: 'E_FORMAT', field: 'version' });
  });

  const traversals: [string, RegExp][] = [
    ['../x', /escapes its folder/],
    ['files/../../x', /escapes its folder/],
    ['/etc/x', /absolute/],
    ['C:/x', /drive letter/],
    ['files/C:x', /drive letter/],
    ['files\\..\\..\\x', /backslash/],
    ['files/docs\\x.md', /backslash/],
  ];
  for (const [name, why] of traversals) {
    test(`an entry named ${JSON.stringify(name)}`, () => {
      const bytes = rawZip([MANIFEST, file('files/ok.md'), file(name)]);
      assertRefused(bytes, UnsafePackageError, `entry "${name}" is refused`, why);
      assert.throws(() => readPackage(bytes), { code: 'E_UNSAFE_PACKAGE', entry: name });
    });
  }

  test('a symbolic link entry', () => {
    const link: RawEntry = { name: 'files/passwd', data: utf8.encode('/etc/passwd'), method: 0, unixMode: 0o120777 };
    assertRefused(rawZip([MANIFEST, link]), UnsafePackageError, 'entry "files/passwd" is refused', 'symbolic link');
    // The same entry as a plain Unix file is fine: it is the mode that is refused.
    assert.equal(readPackage(rawZip([MANIFEST, { ...link, unixMode: 0o100644 }])).files.size, 1);
  });

  test('more entries than LIMITS.maxFiles', () => {
    const files = Array.from({ length: LIMITS.maxFiles }, (_, i) => file(`files/f${i}.txt`, ''));
    assertRefused(rawZip([MANIFEST, ...files]), UnsafePackageError, `has ${LIMITS.maxFiles + 1} entries; the limit is ${LIMITS.maxFiles}`);
    assert.equal(readPackage(rawZip([MANIFEST, ...files.slice(1)])).files.size, LIMITS.maxFiles - 1, 'exactly the limit is fine');
  });

  test('an entry that lies about its uncompressed size or CRC', () => {
    const data = utf8.encode('x'.repeat(1000));
    const liar = (lie: Partial<RawEntry>) => rawZip([MANIFEST, { name: 'files/big.txt', data, ...lie }]);
    // Inflating stops as soon as the output passes the declared 10 bytes.
    assertRefused(liar({ declaredSize: 10 }), IntegrityError, 'entry "files/big.txt" is corrupt', 'inflates to more than its declared 10 bytes');
    assertRefused(liar({ declaredSize: 5000 }), IntegrityError, 'entry "files/big.txt" is corrupt', 'inflated to 1000 bytes, declared 5000');
    assertRefused(liar({ declaredSize: 10, method: 0 }), IntegrityError, 'stored size differs from its declared size');
    assertRefused(liar({ declaredCrc: 0x12345678 }), IntegrityError, 'entry "files/big.txt" is corrupt', 'CRC-32 mismatch');
    assertRefused(liar({ declaredSize: LIMITS.maxUnpackedBytes + 1 }), UnsafePackageError, `unpacks to more than ${LIMITS.maxUnpackedBytes} bytes`);
  });
});
