import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FormatError } from '../../../src/core/errors';
import { utf8 } from '../../../src/core/format';
import { checkJsonShape } from '../../../src/core/format/jsonLimits';
import { parseJsonBytes } from '../../../src/core/format/validate';

const ok = (text: string, maxDepth: number, maxValues?: number) =>
  assert.doesNotThrow(() => checkJsonShape(utf8.encode(text), { maxDepth, ...(maxValues !== undefined ? { maxValues } : {}) }, 'f'), text);
const refused = (text: string, maxDepth: number, maxValues: number | undefined, message: RegExp) =>
  assert.throws(
    () => checkJsonShape(utf8.encode(text), { maxDepth, ...(maxValues !== undefined ? { maxValues } : {}) }, 'f'),
    (err: unknown) => err instanceof FormatError && message.test(err.message),
    text,
  );

describe('checkJsonShape', () => {
  test('measures nesting depth exactly', () => {
    ok('1', 0);
    ok('[]', 1);
    ok('{"a":[{"b":[]}]}', 4);
    refused('{"a":[{"b":[]}]}', 3, undefined, /nested more than 3 levels deep/);
    ok('[[],[],[[]]]', 3);
    refused('[[[[', 3, undefined, /nested more than 3/);
  });

  test('counts values: scalars, strings, keys, arrays and objects', () => {
    // {"a": [1, "x", true, null]} = object, key, array, 4 scalars = 7 values
    ok('{"a": [1, "x", true, null]}', 2, 7);
    refused('{"a": [1, "x", true, null]}', 2, 6, /more than 6 JSON values/);
    ok('[-1.5e10, 0, 2]', 1, 4);
    refused('[-1.5e10, 0, 2]', 1, 3, /more than 3/);
  });

  test('structure inside strings, escaped quotes and backslashes are not structure', () => {
    ok('["[[[[{{{{", "a\\"[[[", "\\\\", "\\\\\\"]]"]', 1, 5);
    ok('{"k\\"ey": "v\\\\"}', 1, 3);
  });

  test('junk ends the pass without throwing anything but a FormatError, or lets the parser refuse it', () => {
    ok('"unterminated', 1);
    ok('}}}]]]', 1);
    ok('\u00ff\u0000 binary', 1);
    assert.throws(() => parseJsonBytes(utf8.encode('"unterminated'), 'f'), FormatError);
    assert.throws(() => parseJsonBytes(new Uint8Array([0xff, 0xfe]), 'f'), FormatError);
  });

  test('parseJsonBytes refuses deep nesting by default', () => {
    assert.throws(() => parseJsonBytes(utf8.encode('['.repeat(65) + ']'.repeat(65)), 'f'), /nested more than 64 levels deep/);
    assert.deepEqual(parseJsonBytes(utf8.encode('['.repeat(64) + ']'.repeat(64)), 'f') !== undefined, true);
  });
});
