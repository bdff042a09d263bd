import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortedError, FormatError, IntegrityError, SignatureError } from '../../../src/core/errors';
import {
  keyPairFromSeed,
  sha256Hex,
  signPackageDigest,
  toBase64,
  utf8,
  writePackage,
  type TemplateManifest,
} from '../../../src/core/format';
import { Verifier, type VerifierOptions, type VerifyItem, type VerifyResult } from '../../../src/core/verify';

const publisher = keyPairFromSeed(new Uint8Array(32).fill(1));
const stranger = keyPairFromSeed(new Uint8Array(32).fill(2));

/** A real template package, as a publisher would build it. */
function packageBytes(id: string, readme = `# ${id}\n`): Uint8Array {
  const manifest: TemplateManifest = {
    id,
    name: id,
    version: '1.0.0',
    description: `The ${id} template.`,
    category: 'documentation',
    tags: [],
    author: 'Test',
    targetFolder: '.',
    variables: [],
  };
  return writePackage(manifest, new Map([['README.md', utf8.encode(readme)]]));
}

/** What the catalog says about a package, signed by `signer`, with the package bytes attached. */
function catalogItem(id: string, bytes = packageBytes(id), signer = publisher): VerifyItem {
  const sha256 = sha256Hex(bytes);
  return { id, publicKey: publisher.publicKey, sha256, signature: signPackageDigest(sha256, signer.secretKey), bytes, size: bytes.length };
}

/** The same bytes with one bit of the last byte flipped: same size, different SHA-256. */
function tamper(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 1] = copy[copy.length - 1]! ^ 1;
  return copy;
}

/** Runs `fn` with a fresh Verifier and always closes it. */
async function withVerifier<T>(opts: VerifierOptions, fn: (v: Verifier) => Promise<T>): Promise<T> {
  const verifier = new Verifier(opts);
  try {
    return await fn(verifier);
  } finally {
    await verifier.close();
  }
}

function errorOf(result: VerifyResult): SignatureError | IntegrityError {
  assert.equal(result.ok, false, `expected ${result.id} to fail`);
  return (result as Extract<VerifyResult, { ok: false }>).error;
}

const badSignatureMessage = (id: string): string =>
  `template "${id}": signature does not verify against publisher key ${publisher.keyid.slice(0, 12)}…; ` +
  'the package was altered or signed by another key — it was not installed';

describe('Verifier', () => {
  it('accepts a package whose signature, size and SHA-256 match the catalog', async () => {
    await withVerifier({}, async (v) => {
      assert.deepEqual(await v.verify(catalogItem('readme')), { id: 'readme', ok: true, cached: false });
      assert.deepEqual(v.stats, { verified: 1, cacheHits: 0, failures: 0 });
    });
  });

  it('accepts a signature alone when no bytes are given', async () => {
    await withVerifier({}, async (v) => {
      const { bytes: _bytes, size: _size, ...signatureOnly } = catalogItem('readme');
      assert.deepEqual(await v.verify(signatureOnly), { id: 'readme', ok: true, cached: false });
    });
  });

  it('refuses a signature over another digest, naming the template and the publisher key', async () => {
    await withVerifier({}, async (v) => {
      const item = { ...catalogItem('readme'), signature: catalogItem('readme', packageBytes('readme', 'other')).signature };
      const error = errorOf(await v.verify(item));
      assert.ok(error instanceof SignatureError);
      assert.equal(error.code, 'E_SIGNATURE');
      assert.equal(error.subject, 'readme');
      assert.equal(error.message, badSignatureMessage('readme'));
      assert.deepEqual(v.stats, { verified: 1, cacheHits: 0, failures: 1 });
    });
  });

  it('refuses a package signed by another key than the publisher listed', async () => {
    await withVerifier({}, async (v) => {
      const error = errorOf(await v.verify(catalogItem('api-docs', packageBytes('api-docs'), stranger)));
      assert.ok(error instanceof SignatureError);
      assert.equal(error.message, badSignatureMessage('api-docs'));
    });
  });

  it('refuses bytes whose SHA-256 is not the catalog digest', async () => {
    await withVerifier({}, async (v) => {
      const item = catalogItem('readme');
      const altered = tamper(item.bytes!);
      const error = errorOf(await v.verify({ ...item, bytes: altered }));
      assert.ok(error instanceof IntegrityError);
      assert.equal(error.code, 'E_INTEGRITY');
      assert.equal(error.subject, 'readme');
      assert.equal(
        error.message,
        `template "readme": SHA-256 mismatch (expected ${item.sha256.slice(0, 12)}…, got ${sha256Hex(altered).slice(0, 12)}…)`,
      );
    });
  });

  it('refuses bytes whose size is not the catalog size', async () => {
    await withVerifier({}, async (v) => {
      const item = catalogItem('readme');
      const longer = new Uint8Array(item.size! + 34);
      longer.set(item.bytes!);
      const error = errorOf(await v.verify({ ...item, bytes: longer }));
      assert.ok(error instanceof IntegrityError);
      assert.equal(error.message, `template "readme": package is ${item.size! + 34} bytes but the catalog says ${item.size}`);
    });
  });

  it('refuses bytes given without the catalog size to bind them to', async () => {
    await withVerifier({}, async (v) => {
      const { size: _size, ...item } = catalogItem('readme');
      const error = errorOf(await v.verify(item));
      assert.ok(error instanceof IntegrityError);
      assert.match(error.message, /^template "readme": the package bytes were given without the catalog size/);
    });
  });

  it('turns a malformed signature into a clean SignatureError instead of throwing', async () => {
    await withVerifier({}, async (v) => {
      const item = catalogItem('readme');
      const malformed = ['not base64!', '', 'AAAA', `${item.signature} `, toBase64(new Uint8Array(63)), toBase64(new Uint8Array(65))];
      for (const signature of malformed) {
        const result = await v.verify({ ...item, signature });
        const error = errorOf(result);
        assert.ok(error instanceof SignatureError, signature);
        assert.equal(error.message, 'template "readme": the catalog signature is not base64 of a 64-byte Ed25519 signature');
        assert.equal(result.cached, false);
      }
      assert.deepEqual(v.stats, { verified: malformed.length, cacheHits: 0, failures: malformed.length });
    });
  });

  it('refuses a malformed digest or publisher key', async () => {
    await withVerifier({}, async (v) => {
      const item = catalogItem('readme');
      const upper = errorOf(await v.verify({ ...item, sha256: item.sha256.toUpperCase() }));
      assert.ok(upper instanceof IntegrityError);
      assert.equal(upper.message, 'template "readme": the catalog SHA-256 is not 64 lowercase hex characters');
      const short = errorOf(await v.verify({ ...item, publicKey: item.publicKey.subarray(0, 31) }));
      assert.ok(short instanceof SignatureError);
      assert.equal(short.message, 'template "readme": the publisher key is 31 bytes, an Ed25519 public key is 32');
    });
  });

  for (const parallelism of [0, 16]) {
    it(`keeps input order in a mixed batch and never rejects (parallelism: ${parallelism})`, async () => {
      await withVerifier({ parallelism }, async (v) => {
        const good = catalogItem('good');
        const items: VerifyItem[] = [
          good,
          { ...catalogItem('forged'), signature: good.signature },
          { ...catalogItem('truncated'), size: 10 },
          catalogItem('also-good'),
          { ...catalogItem('garbled'), signature: '%%%' },
          { ...catalogItem('tampered'), bytes: tamper(catalogItem('tampered').bytes!) },
          catalogItem('stranger', packageBytes('stranger'), stranger),
          good,
        ];
        const results = await v.verifyBatch(items);
        assert.deepEqual(
          results.map((r) => r.id),
          items.map((i) => i.id),
        );
        assert.deepEqual(
          results.map((r) => (r.ok ? 'ok' : r.error.constructor.name)),
          ['ok', 'SignatureError', 'IntegrityError', 'ok', 'SignatureError', 'IntegrityError', 'SignatureError', 'ok'],
        );
        assert.match(errorOf(results[2]!).message, /^template "truncated": package is \d+ bytes but the catalog says 10$/);
        assert.match(errorOf(results[5]!).message, /^template "tampered": SHA-256 mismatch/);
        assert.deepEqual(v.stats, { verified: 8, cacheHits: 1, failures: 5 });
      });
    });
  }

  it('answers an empty batch with an empty list', async () => {
    await withVerifier({}, async (v) => {
      assert.deepEqual(await v.verifyBatch([]), []);
      assert.deepEqual(v.stats, { verified: 0, cacheHits: 0, failures: 0 });
    });
  });

  it('remembers outcomes, valid and invalid: a repeat is a cache hit', async () => {
    await withVerifier({}, async (v) => {
      const item = catalogItem('readme');
      const forged = { ...catalogItem('forged'), signature: item.signature };
      assert.deepEqual(await v.verify(item), { id: 'readme', ok: true, cached: false });
      assert.deepEqual(await v.verify(item), { id: 'readme', ok: true, cached: true });
      assert.equal((await v.verify(forged)).cached, false);
      const again = await v.verify(forged);
      assert.equal(again.cached, true);
      assert.equal(errorOf(again).message, badSignatureMessage('forged'));
      const batch = await v.verifyBatch([item, forged]);
      assert.deepEqual(
        batch.map((r) => [r.ok, r.cached]),
        [
          [true, true],
          [false, true],
        ],
      );
      assert.deepEqual(v.stats, { verified: 6, cacheHits: 4, failures: 3 });
    });
  });

  it('checks the bytes again on a cache hit: only the signature outcome is remembered', async () => {
    await withVerifier({}, async (v) => {
      const item = catalogItem('readme');
      assert.equal((await v.verify(item)).ok, true);
      const result = await v.verify({ ...item, bytes: tamper(item.bytes!) });
      assert.equal(result.cached, true);
      assert.ok(errorOf(result) instanceof IntegrityError);
    });
  });

  it('is not fooled by the same key and digest with another signature', async () => {
    await withVerifier({}, async (v) => {
      const item = catalogItem('readme');
      assert.equal((await v.verify(item)).ok, true);
      const strangers = signPackageDigest(item.sha256, stranger.secretKey);
      const flipped = Buffer.from(item.signature, 'base64');
      flipped[10] = flipped[10]! ^ 1;
      for (const signature of [strangers, toBase64(flipped)]) {
        const result = await v.verify({ ...item, signature });
        assert.equal(result.cached, false);
        assert.ok(errorOf(result) instanceof SignatureError);
      }
      // ...and the bad ones did not overwrite the good outcome.
      assert.deepEqual(await v.verify(item), { id: 'readme', ok: true, cached: true });
    });
  });

  it('checks identical items of one batch once, even while the first is still in flight', async () => {
    await withVerifier({ parallelism: 4 }, async (v) => {
      const item = catalogItem('readme');
      const results = await v.verifyBatch([item, item, item, item]);
      assert.deepEqual(
        results.map((r) => [r.ok, r.cached]),
        [
          [true, false],
          [true, true],
          [true, true],
          [true, true],
        ],
      );
      assert.deepEqual(v.stats, { verified: 4, cacheHits: 3, failures: 0 });
    });
  });

  it('forgets the least recently used outcome beyond cacheSize, and caches nothing with 0', async () => {
    await withVerifier({ cacheSize: 1 }, async (v) => {
      const [a, b] = [catalogItem('a'), catalogItem('b')];
      const cached = [];
      for (const item of [a, a, b, a]) cached.push((await v.verify(item)).cached);
      assert.deepEqual(cached, [false, true, false, false]);
    });
    await withVerifier({ cacheSize: 0 }, async (v) => {
      const a = catalogItem('a');
      for (let i = 0; i < 3; i++) assert.deepEqual(await v.verify(a), { id: 'a', ok: true, cached: false });
      assert.equal(v.stats.cacheHits, 0);
    });
  });

  it('close() lets running calls finish, then refuses new ones', async () => {
    const v = new Verifier();
    const items = Array.from({ length: 32 }, (_, i) => catalogItem(`t${i}`));
    let finished = false;
    const running = v.verifyBatch(items);
    void running.then(() => (finished = true));
    await v.close();
    assert.equal(finished, true, 'close() returned before the running batch finished');
    assert.deepEqual(
      (await running).map((r) => r.ok),
      items.map(() => true),
    );
    await assert.rejects(v.verify(items[0]!), (err: unknown) => err instanceof AbortedError && err.code === 'E_ABORTED');
    await assert.rejects(v.verifyBatch(items), AbortedError);
    await v.close(); // closing twice is harmless
  });

  it('rejects malformed options with a FormatError naming the option', () => {
    assert.throws(() => new Verifier({ parallelism: -1 }), (err: unknown) => err instanceof FormatError && err.field === 'parallelism');
    assert.throws(() => new Verifier({ cacheSize: 1.5 }), (err: unknown) => err instanceof FormatError && err.field === 'cacheSize');
  });
});
