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

test('base64 and hex checks are linear scans: a large random payload is neither a stack overflow nor refused', () => {
  // About 8 MiB of base64 of random bytes; the old regular expression overflowed from about 4.4 MB.
  const bytes = new Uint8Array(6 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  const text = toBase64(bytes);
  assert.deepEqual(fromBase64(text), bytes);
  assert.equal(fromBase64(`${text.slice(0, -4)}A=A=`), undefined);
  assert.equal(fromBase64(`${text}====`), undefined);
  assert.equal(toHex(fromHex('00ffAb')), '00ffab');
  for (const bad of ['\u0010\u0011', 'gg', '0x']) assert.throws(() => fromHex(bad), FormatError, JSON.stringify(bad));
});
