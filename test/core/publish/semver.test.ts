import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormatError } from '../../../src/core/errors';
import { compareSemver } from '../../../src/core/publish';

test('orders versions by semver precedence (semver.org §11)', () => {
  const ascending = [
    '0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
    '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '2.0.0', '10.0.0', '99999999999999999999.0.0',
  ];
  for (let i = 0; i < ascending.length; i++) {
    for (let j = 0; j < ascending.length; j++) {
      const order = Math.sign(compareSemver(ascending[i]!, ascending[j]!));
      assert.equal(order, Math.sign(i - j), `${ascending[i]} vs ${ascending[j]}`);
    }
  }
});

test('build metadata does not count', () => {
  assert.equal(compareSemver('1.0.0+build.1', '1.0.0+build.2'), 0);
  assert.equal(compareSemver('1.0.0+zzz', '1.0.0'), 0);
});

test('refuses a string that is not a semantic version', () => {
  assert.throws(() => compareSemver('1.0', '1.0.0'), FormatError);
  assert.throws(() => compareSemver('1.0.0', '01.0.0'), /expected a semantic version like 1\.2\.0, got "01\.0\.0"/);
});
