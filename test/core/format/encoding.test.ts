import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormatError } from '../../../src/core/errors';
import { fromBase64, fromHex, toBase64, toHex } from '../../../src/core/format';

test('base64 and hex round trip', () => {
  const bytes = Uint8Array.from([0, 1, 127, 128, 255]);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  assert.deepEqual(fromHex(toHex(bytes)), bytes);
});

test('decoding is strict: what Buffer would silently skip or truncate is refused', () => {
  for (const bad of ['AAAA!', 'AAA', 'AA==AA==', 'AAAA\n', '-_8=']) assert.equal(fromBase64(bad), undefined, bad);
  for (const bad of ['abc', 'zz', '00 11', '0g']) assert.throws(() => fromHex(bad), FormatError, bad);
});
