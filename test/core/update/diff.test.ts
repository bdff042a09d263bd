import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffLines, type Hunk } from '../../../src/core/update/diff';
import { decodeText, lineEnding, splitLines } from '../../../src/core/update/lines';
import { mulberry32 } from '../../helpers/random';

function apply(a: string[], b: string[], hunks: Hunk[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const h of hunks) {
    out.push(...a.slice(i, h.aStart), ...b.slice(h.bStart, h.bEnd));
    i = h.aEnd;
  }
  return [...out, ...a.slice(i)];
}

/** Length of a longest common subsequence, by dynamic programming: the reference Myers must reach. */
function lcsLength(a: string[], b: string[]): number {
  let next = new Array<number>(b.length + 1).fill(0);
  for (let i = a.length - 1; i >= 0; i--) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = b.length - 1; j >= 0; j--) row[j] = a[i] === b[j] ? next[j + 1]! + 1 : Math.max(next[j]!, row[j + 1]!);
    next = row;
  }
  return next[0]!;
}

describe('diffLines', () => {
  it('finds a minimal diff whose hunks turn a into b (seeded random sequences)', () => {
    const rand = mulberry32(1);
    const seq = (): string[] => Array.from({ length: Math.floor(rand() * 14) }, () => 'abc'[Math.floor(rand() * 3)]!);
    for (let round = 0; round < 1000; round++) {
      const [a, b] = [seq(), seq()];
      const hunks = diffLines(a, b, 1000);
      assert.deepEqual(apply(a, b, hunks), b, `round ${round}`);
      const kept = a.length - hunks.reduce((n, h) => n + h.aEnd - h.aStart, 0);
      assert.equal(kept, lcsLength(a, b), `round ${round}: not minimal`);
      for (const h of hunks) assert.ok(h.aEnd > h.aStart || h.bEnd > h.bStart, 'no empty hunk');
    }
  });

  it('returns no hunks for equal input and one hunk for a pure insertion or deletion', () => {
    assert.deepEqual(diffLines(['a', 'b'], ['a', 'b'], 10), []);
    assert.deepEqual(diffLines(['a', 'b'], ['a', 'x', 'b'], 10), [{ aStart: 1, aEnd: 1, bStart: 1, bEnd: 2 }]);
    assert.deepEqual(diffLines(['a', 'b', 'c'], ['a'], 10), [{ aStart: 1, aEnd: 3, bStart: 1, bEnd: 1 }]);
  });
});

describe('line helpers', () => {
  it('splitLines keeps terminators so joining gives the text back', () => {
    for (const text of ['', 'a', 'a\n', 'a\r\nb', '\n\n', 'a\rb\n']) assert.equal(splitLines(text).join(''), text);
    assert.deepEqual(splitLines('a\r\nb\nc'), ['a\r\n', 'b\n', 'c']);
  });

  it('lineEnding takes the first ending found, decodeText refuses NUL and invalid UTF-8', () => {
    assert.equal(lineEnding('a', 'b\r\nc\n'), '\r\n');
    assert.equal(lineEnding('', ''), '\n');
    assert.equal(decodeText(Uint8Array.from([0x61, 0])), undefined);
    assert.equal(decodeText(Uint8Array.from([0xc3])), undefined);
    assert.equal(decodeText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61])), '\uFEFFa');
  });
});
