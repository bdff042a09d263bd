import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { displayText, isDisplaySafe } from '../../../src/core/util/displayText';

/** Every character class that must never reach a terminal raw, with an example of each. */
const HOSTILE: [string, string][] = [
  ['ESC (starts CSI/OSC sequences)', '\u001b'],
  ['BEL', '\u0007'],
  ['BS', '\u0008'],
  ['CR (rewrites the line)', '\r'],
  ['LF', '\n'],
  ['TAB', '\t'],
  ['NUL', '\u0000'],
  ['DEL', '\u007f'],
  ['C1 CSI', '\u009b'],
  ['C1 OSC', '\u009d'],
  ['NEL', '\u0085'],
  ['RLO (right-to-left override)', '\u202e'],
  ['LRE', '\u202a'],
  ['RLI (isolate)', '\u2067'],
  ['PDI', '\u2069'],
  ['RLM', '\u200f'],
  ['ALM', '\u061c'],
  ['ZWSP', '\u200b'],
  ['ZWJ', '\u200d'],
  ['word joiner', '\u2060'],
  ['BOM', '\ufeff'],
  ['soft hyphen', '\u00ad'],
  ['LINE SEPARATOR', '\u2028'],
  ['PARAGRAPH SEPARATOR', '\u2029'],
  ['tag character', '\u{e0041}'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', '\udc00'],
];

describe('displayText', () => {
  for (const [name, ch] of HOSTILE) {
    test(`neutralises ${name}`, () => {
      const shown = displayText(`a${ch}b`);
      assert.ok(!shown.includes(ch), JSON.stringify(shown));
      assert.ok(isDisplaySafe(shown));
      assert.equal(isDisplaySafe(`a${ch}b`), false);
      // The escape is visible and, inside a JSON string, decodes back to the same character.
      assert.equal(JSON.parse(`"${shown}"`), `a${ch}b`);
    });
  }

  test('leaves ordinary text alone: accents, CJK, emoji, punctuation', () => {
    for (const text of ['Café crème', 'テンプレート', '🚀 launch 👍🏽', 'a "quoted" \\ path/to/file.md', '']) {
      assert.equal(displayText(text), text);
      assert.ok(isDisplaySafe(text));
    }
  });

  test('a terminal attack becomes inert text', () => {
    const attack = 'readme\u001b]0;pwned\u0007\u001b[2J\u001b[1A\rOK \u202etxt.exe';
    assert.equal(displayText(attack), 'readme\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[1A\\rOK \\u202etxt.exe');
  });

  test('keepNewlines keeps line feeds only', () => {
    assert.equal(displayText('one\ntwo\r\nthree\u2028', { keepNewlines: true }), 'one\ntwo\\r\nthree\\u2028');
  });

  test('maxLength cuts before escaping and never splits a surrogate pair', () => {
    assert.equal(displayText('abcdef', { maxLength: 3 }), 'abc…');
    assert.equal(displayText('ab😀cd', { maxLength: 3 }), 'ab…', 'the pair is dropped whole, not escaped as a lone half');
    assert.equal(displayText('\u001b\u001b\u001b\u001b', { maxLength: 2 }), '\\u001b\\u001b…');
    assert.equal(displayText('short', { maxLength: 10 }), 'short');
  });

  test('is linear on large hostile input', () => {
    const big = '\u001b\u202e'.repeat(500_000);
    const shown = displayText(big);
    assert.equal(shown.length, 12 * 500_000);
    assert.ok(isDisplaySafe(shown));
  });
});
