import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { identityOf, TrustStore } from '../../../src/core/catalog/trustStore';
import { tempDir } from '../../helpers/marketplaceFixture';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const DIGEST = (n: number) => n.toString(16).padStart(64, '0');
const A = identityOf('https://a.example/market', KEY_A);
const B = identityOf('https://b.example/', KEY_A);

describe('TrustStore', () => {
  test('an identity is the URL (normalised) and the key: either differing is another marketplace', async (t) => {
    const dir = await tempDir(t);
    const store = await TrustStore.open(dir);
    assert.deepEqual(identityOf('https://a.example/market', KEY_A), identityOf('https://A.EXAMPLE:443/market/', KEY_A));
    await store.accept(A, { version: 7, payloadSha256: DIGEST(7) });
    assert.equal(store.get(identityOf('https://a.example/market/', KEY_A))?.version, 7);
    assert.equal(store.get(identityOf('https://a.example/market/', KEY_B)), undefined, 'same URL, another key');
    assert.equal(store.get(B), undefined, 'same key, another URL');
  });

  test('versions only move forward, and survive a reopen', async (t) => {
    const dir = await tempDir(t);
    const store = await TrustStore.open(dir);
    await store.accept(A, { version: 7, payloadSha256: DIGEST(7) });
    await store.accept(A, { version: 3, payloadSha256: DIGEST(3) });
    assert.equal(store.get(A)?.version, 7);
    const reopened = await TrustStore.open(dir);
    assert.deepEqual(reopened.get(A), { version: 7, payloadSha256: DIGEST(7) });
    assert.equal(reopened.damage, undefined);
  });

  test('concurrent updates in one process lose nothing', async (t) => {
    const dir = await tempDir(t);
    const store = await TrustStore.open(dir);
    const ids = Array.from({ length: 20 }, (_, i) => identityOf(`https://m${i}.example/`, KEY_A));
    await Promise.all(ids.map((id, i) => store.accept(id, { version: i + 1, payloadSha256: DIGEST(i) })));
    const reopened = await TrustStore.open(dir);
    for (const [i, id] of ids.entries()) {
      assert.equal(store.get(id)?.version, i + 1);
      assert.equal(reopened.get(id)?.version, i + 1);
    }
  });

  test('two processes merge their records; a reset is not undone by one that remembered older ones', async (t) => {
    const dir = await tempDir(t);
    const one = await TrustStore.open(dir);
    const two = await TrustStore.open(dir);
    await one.accept(A, { version: 7, payloadSha256: DIGEST(7) });
    await two.accept(B, { version: 2, payloadSha256: DIGEST(2) });
    const both = await TrustStore.open(dir);
    assert.equal(both.get(A)?.version, 7);
    assert.equal(both.get(B)?.version, 2);

    assert.equal(await both.reset(), 2);
    // `one` still remembers A at version 7 from before the reset; its next write must not restore it.
    await one.accept(B, { version: 3, payloadSha256: DIGEST(3) });
    const after = await TrustStore.open(dir);
    assert.equal(after.get(A), undefined, 'the reset held');
    assert.equal(after.get(B)?.version, 3);
  });

  test('resetting one marketplace keeps the others', async (t) => {
    const dir = await tempDir(t);
    const store = await TrustStore.open(dir);
    await store.accept(A, { version: 7, payloadSha256: DIGEST(7) });
    await store.accept(B, { version: 2, payloadSha256: DIGEST(2) });
    assert.equal(await store.reset({ url: 'https://a.example/market', keyid: KEY_A }), 1);
    const reopened = await TrustStore.open(dir);
    assert.equal(reopened.get(A), undefined);
    assert.equal(reopened.get(B)?.version, 2);
    assert.deepEqual(reopened.entries().find((e) => e.url === A.url), { url: A.url, keyid: KEY_A });
  });

  test('an older-format file: a source id it never knew is new, one it knew recovers with its version as a floor', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'trust.json'), JSON.stringify({ m: { version: 5, sha256: DIGEST(1) }, cli: { version: 9, sha256: DIGEST(2) } }));
    const store = await TrustStore.open(dir);
    assert.equal(store.recoveryNeeded(A, 'other'), undefined, 'never accepted under the old file');
    assert.ok(store.recoveryNeeded(A, 'm'));
    assert.ok(store.recoveryNeeded(A, 'cli'), 'the shared CLI id says nothing about this marketplace');
    assert.equal(store.legacyFloor('m'), 5);
    assert.equal(store.legacyFloor('cli'), undefined);
    // A floor has no digest until the same version is seen again.
    await store.accept(A, { version: 5, payloadSha256: '' });
    await store.accept(A, { version: 5, payloadSha256: DIGEST(5) });
    const reopened = await TrustStore.open(dir);
    assert.deepEqual(reopened.get(A), { version: 5, payloadSha256: DIGEST(5) });
    assert.equal(reopened.legacyFloor('m'), 5, 'kept for the other processes until a full reset');
    await reopened.reset();
    assert.equal((await TrustStore.open(dir)).legacyFloor('m'), undefined);
  });

  const damaged: [string, string][] = [
    ['not JSON', '{"format": 2, "generation": 0, "marketp'],
    ['not an object', '[1, 2, 3]'],
    ['a malformed record', JSON.stringify({ format: 2, generation: 0, marketplaces: { [`${KEY_A} ${A.url}`]: { url: A.url, keyid: KEY_A, version: 'seven', payloadSha256: DIGEST(7) } } })],
    ['a record filed under another marketplace', JSON.stringify({ format: 2, generation: 0, marketplaces: { [`${KEY_A} ${B.url}`]: { url: A.url, keyid: KEY_A, version: 7, payloadSha256: DIGEST(7) } } })],
    ['the older format keyed by source id', JSON.stringify({ samples: { version: 7, sha256: DIGEST(7) } })],
    ['empty', ''],
  ];
  for (const [what, text] of damaged) {
    test(`a trust file that is ${what} is set aside and recovery begins, for good`, async (t) => {
      const dir = await tempDir(t);
      await writeFile(join(dir, 'trust.json'), text);
      const store = await TrustStore.open(dir);
      assert.ok(store.damage, 'recovering');
      assert.ok(store.recoveryNeeded(A), 'a marketplace without a record must be recovered, not trusted as new');
      const kept = (await readdir(dir)).filter((f) => f.startsWith('trust.json.damaged-'));
      assert.equal(kept.length, 1);
      assert.equal(await readFile(join(dir, kept[0]!), 'utf8'), text, 'the damaged bytes are kept');

      // Recovery records a marketplace (from its cached catalog); the others still need theirs, also after a reopen.
      await store.accept(A, { version: 7, payloadSha256: DIGEST(7) });
      const reopened = await TrustStore.open(dir);
      assert.equal(reopened.recoveryNeeded(A), undefined);
      assert.equal(reopened.get(A)?.version, 7);
      assert.ok(reopened.recoveryNeeded(B));
      // An explicit reset of one marketplace lets it start afresh; resetting all ends recovery.
      await reopened.reset({ url: B.url, keyid: B.keyid });
      assert.equal(reopened.recoveryNeeded(B), undefined);
      assert.equal(reopened.get(B), undefined);
      await reopened.reset();
      assert.equal((await TrustStore.open(dir)).damage, undefined);
    });
  }
});
