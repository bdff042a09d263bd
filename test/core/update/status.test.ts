import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProvenanceEntry } from '../../../src/core/provenance';
import { installedStatus } from '../../../src/core/update';

const SHA_PKG = '1'.repeat(64);
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const entry: ProvenanceEntry = {
  marketplace: { id: 'acme', url: 'https://templates.example.com/', catalogKeyId: '0'.repeat(64) },
  template: { id: 'readme-basic', version: '1.2.0', sha256: SHA_PKG, publisherKeyId: '0'.repeat(64), signature: `${'A'.repeat(86)}==` },
  installedAt: '2026-01-31T12:00:00Z',
  verifiedAt: '2026-01-31T12:00:00Z',
  variables: {},
  files: [
    { path: 'README.md', sha256: SHA_A },
    { path: 'docs/guide.md', sha256: SHA_B },
  ],
};
const intact = new Map([['README.md', SHA_A], ['docs/guide.md', SHA_B]]);
const same = { version: '1.2.0', sha256: SHA_PKG };

describe('installedStatus', () => {
  it('up to date: same version in the catalog, every file as written', () => {
    const s = installedStatus(entry, same, intact);
    assert.equal(s.state, 'up-to-date');
    assert.deepEqual(s.flags, { updateAvailable: false, notInCatalog: false, missingFiles: false, locallyModified: false, republished: false });
    assert.deepEqual([s.installedVersion, s.catalogVersion, s.missing, s.modified], ['1.2.0', '1.2.0', [], []]);
  });

  it('update available: a higher semantic version (not a string comparison), and not for a lower one', () => {
    assert.equal(installedStatus(entry, { version: '1.10.0', sha256: SHA_B }, intact).state, 'update-available');
    assert.equal(installedStatus(entry, { version: '1.2.1-rc.1', sha256: SHA_B }, intact).state, 'update-available');
    assert.equal(installedStatus(entry, { version: '1.2.0-rc.1', sha256: SHA_B }, intact).state, 'up-to-date');
    assert.equal(installedStatus(entry, { version: '1.1.9', sha256: SHA_B }, intact).flags.updateAvailable, false);
  });

  it('locally modified and missing files, with the paths', () => {
    const modified = installedStatus(entry, same, new Map([['README.md', SHA_B], ['docs/guide.md', SHA_B]]));
    assert.equal(modified.state, 'locally-modified');
    assert.deepEqual(modified.modified, ['README.md']);
    const missing = installedStatus(entry, same, new Map([['README.md', undefined], ['docs/guide.md', SHA_A]]));
    assert.equal(missing.state, 'missing-files');
    assert.deepEqual([missing.missing, missing.modified], [['README.md'], ['docs/guide.md']]);
    assert.equal(missing.flags.locallyModified, true, 'both apply: the flags say so');
    assert.equal(installedStatus(entry, same, new Map()).missing.length, 2, 'a path absent from the map is missing');
  });

  it('no longer in the catalog', () => {
    const s = installedStatus(entry, undefined, intact);
    assert.equal(s.state, 'not-in-catalog');
    assert.equal(s.catalogVersion, undefined);
  });

  it('several at once: the primary state puts an update first, local drift stays in the flags', () => {
    const drifted = new Map([['README.md', SHA_B]]);
    const s = installedStatus(entry, { version: '2.0.0', sha256: SHA_B }, drifted);
    assert.equal(s.state, 'update-available');
    assert.deepEqual(s.flags, { updateAvailable: true, notInCatalog: false, missingFiles: true, locallyModified: true, republished: false });
    assert.equal(installedStatus(entry, undefined, drifted).state, 'not-in-catalog');
  });

  it('flags a version the catalog re-released with a different package', () => {
    const s = installedStatus(entry, { version: '1.2.0', sha256: SHA_B }, intact);
    assert.equal(s.state, 'up-to-date');
    assert.equal(s.flags.republished, true);
  });
});
