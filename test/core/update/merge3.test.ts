import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffLines } from '../../../src/core/update/diff';
import { splitLines } from '../../../src/core/update/lines';
import { MERGE_LIMITS, merge3, mergeBytes } from '../../../src/core/update/merge3';
import { mulberry32 } from '../../helpers/random';

const L = (...lines: string[]): string => lines.map((l) => `${l}\n`).join('');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);

describe('merge3: clean merges', () => {
  const base = L('a', 'b', 'c', 'd', 'e', 'f', 'g');

  it('takes the only side that changed', () => {
    const x = L('a', 'B', 'c', 'd', 'e', 'f', 'g');
    assert.deepEqual(merge3(base, base, x), { clean: true, text: x });
    assert.deepEqual(merge3(base, x, base), { clean: true, text: x });
  });

  it('is clean when both sides made the same change', () => {
    const x = L('a', 'B', 'c', 'd', 'e', 'F', 'g');
    assert.deepEqual(merge3(base, x, x), { clean: true, text: x });
    // The same change in one place plus different, separate changes elsewhere.
    const ours = L('A', 'b', 'c', 'D', 'e', 'f', 'g');
    const theirs = L('a', 'b', 'c', 'D', 'e', 'f', 'G');
    assert.deepEqual(merge3(base, ours, theirs), { clean: true, text: L('A', 'b', 'c', 'D', 'e', 'f', 'G') });
  });

  it('combines changes in separate places', () => {
    const ours = L('a', 'B', 'c', 'd', 'e', 'f', 'g');
    const theirs = L('a', 'b', 'c', 'd', 'e', 'F', 'g', 'h');
    assert.deepEqual(merge3(base, ours, theirs), { clean: true, text: L('a', 'B', 'c', 'd', 'e', 'F', 'g', 'h') });
  });

  it('handles insertions at the start and at the end, and deletions', () => {
    const ours = L('header', 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    const theirs = L('a', 'b', 'd', 'e', 'f', 'g', 'footer');
    assert.deepEqual(merge3(base, ours, theirs), { clean: true, text: L('header', 'a', 'b', 'd', 'e', 'f', 'g', 'footer') });
    assert.deepEqual(merge3('', L('x'), ''), { clean: true, text: L('x') });
    assert.deepEqual(merge3(L('x'), '', L('x')), { clean: true, text: '' });
  });

  it('keeps a missing final newline, and adds one only where a side did', () => {
    const b = 'a\nb\nc\nd';
    assert.deepEqual(merge3(b, 'A\nb\nc\nd', 'a\nb\nc\nD'), { clean: true, text: 'A\nb\nc\nD' });
    assert.deepEqual(merge3(b, 'A\nb\nc\nd', 'a\nb\nc\nd\n'), { clean: true, text: 'A\nb\nc\nd\n' });
  });

  it('preserves CRLF and mixed line endings', () => {
    const b = 'a\r\nb\r\nc\r\nd\r\ne\r\n';
    const ours = 'A\r\nb\r\nc\r\nd\r\ne\r\n';
    const theirs = 'a\r\nb\r\nc\r\nd\r\nE\n';
    assert.deepEqual(merge3(b, ours, theirs), { clean: true, text: 'A\r\nb\r\nc\r\nd\r\nE\n' });
  });

  it('merges bytes, keeping a BOM', () => {
    const bom = '\uFEFF';
    const r = mergeBytes(enc(`${bom}${L('a', 'b', 'c', 'd')}`), enc(`${bom}${L('A', 'b', 'c', 'd')}`), enc(`${bom}${L('a', 'b', 'c', 'D')}`));
    assert.equal(r.clean, true);
    assert.equal(dec((r as { bytes: Uint8Array }).bytes), `${bom}${L('A', 'b', 'c', 'D')}`);
  });
});

describe('merge3: conflicts', () => {
  const base = L('a', 'b', 'c', 'd', 'e');

  it('marks overlapping changes with git-style markers, including the base', () => {
    const r = merge3(base, L('a', 'OURS', 'c', 'd', 'e'), L('a', 'THEIRS', 'c', 'd', 'e'));
    assert.deepEqual(r, {
      clean: false,
      conflicts: 1,
      text: L('a', '<<<<<<< ours', 'OURS', '||||||| base', 'b', '=======', 'THEIRS', '>>>>>>> theirs', 'c', 'd', 'e'),
    });
  });

  it('uses the labels given and can leave out the base section', () => {
    const r = merge3(base, L('a', 'X', 'c', 'd', 'e'), L('a', 'Y', 'c', 'd', 'e'), {
      labels: { ours: 'local', theirs: 'readme-basic 2.0.0' },
      showBase: false,
    });
    assert.equal(r.text, L('a', '<<<<<<< local', 'X', '=======', 'Y', '>>>>>>> readme-basic 2.0.0', 'c', 'd', 'e'));
  });

  it('counts each conflicting region, and merges cleanly around them', () => {
    const b = L('1', '2', '3', '4', '5', '6', '7', '8', '9');
    const ours = L('1', 'o2', '3', '4', 'o5', '6', '7', '8', '9', '10');
    const theirs = L('1', 't2', '3', '4', '5', '6', '7', 't8', '9');
    const r = merge3(b, ours, theirs);
    assert.equal(r.clean, false);
    assert.equal((r as { conflicts: number }).conflicts, 1);
    assert.ok(r.text.includes('o5\n') && r.text.includes('t8\n') && r.text.endsWith('9\n10\n'));
    const r2 = merge3(b, L('1', 'o2', '3', '4', '5', '6', 'o7', '8', '9'), L('1', 't2', '3', '4', '5', '6', 't7', '8', '9'));
    assert.equal((r2 as { conflicts: number }).conflicts, 2);
  });

  it('treats touching changes and insertions at the same place as conflicts (like git)', () => {
    assert.equal(merge3(base, L('a', 'B', 'c', 'd', 'e'), L('a', 'b', 'C', 'd', 'e')).clean, false);
    assert.equal(merge3(base, L('a', 'b', 'x', 'c', 'd', 'e'), L('a', 'b', 'y', 'c', 'd', 'e')).clean, false);
    // Both appended different lines at the end.
    const r = merge3(base, `${base}${L('ours')}`, `${base}${L('theirs')}`);
    assert.equal(r.text, `${base}${L('<<<<<<< ours', 'ours', '||||||| base', '=======', 'theirs', '>>>>>>> theirs')}`);
  });

  it('ends every conflict section with a line break, even without a final newline', () => {
    const r = merge3('a\nb', 'a\nB', 'a\nC');
    assert.equal(r.text, 'a\n<<<<<<< ours\nB\n||||||| base\nb\n=======\nC\n>>>>>>> theirs\n');
  });

  it('writes markers with the file\'s own line ending (CRLF)', () => {
    const r = merge3('a\r\nb\r\n', 'a\r\nB\r\n', 'a\r\nC\r\n');
    assert.equal(r.text, 'a\r\n<<<<<<< ours\r\nB\r\n||||||| base\r\nb\r\n=======\r\nC\r\n>>>>>>> theirs\r\n');
  });

  it('treats binary content as a whole', () => {
    const bin = (...b: number[]): Uint8Array => Uint8Array.from(b);
    const b = bin(0, 1, 2);
    assert.deepEqual(mergeBytes(b, b, bin(0, 9)), { clean: true, bytes: bin(0, 9) });
    assert.deepEqual(mergeBytes(b, bin(0, 8), b), { clean: true, bytes: bin(0, 8) });
    assert.deepEqual(mergeBytes(b, bin(0, 7), bin(0, 7)), { clean: true, bytes: bin(0, 7) });
    assert.deepEqual(mergeBytes(b, bin(0, 8), bin(0, 9)), { clean: false, reason: 'binary', conflicts: 1 });
    // Invalid UTF-8 counts as binary, even when the lines would merge.
    assert.deepEqual(mergeBytes(enc(L('a', 'b', 'c')), Uint8Array.from([0xff, 0x0a, 0x62, 0x0a, 0x63, 0x0a]), enc(L('a', 'b', 'C'))), {
      clean: false,
      reason: 'binary',
      conflicts: 1,
    });
    const text = mergeBytes(enc(L('a')), enc(L('b')), enc(L('c')));
    assert.equal(text.clean === false && text.reason, 'conflict');
  });
});

describe('merge3: bounded cost', () => {
  it('degrades to a whole-file conflict past the line cap, and stays clean where one side kept the base', () => {
    const big = L(...Array.from({ length: 50 }, (_, i) => `line ${i}`));
    const ours = big.replace('line 1\n', 'ours\n');
    const theirs = big.replace('line 40\n', 'theirs\n');
    assert.equal(merge3(big, ours, theirs).clean, true);
    const r = merge3(big, ours, theirs, { limits: { maxLines: 10 } });
    assert.deepEqual([r.clean, (r as { conflicts: number }).conflicts], [false, 1]);
    assert.ok(r.text.startsWith('<<<<<<< ours\n') && r.text.endsWith('>>>>>>> theirs\n'));
    assert.deepEqual(merge3(big, big, theirs, { limits: { maxLines: 10 } }), { clean: true, text: theirs });
    assert.equal(merge3(big, ours, theirs, { limits: { maxBytes: 100 } }).clean, false);
  });

  it('coarsens the diff past the edit-distance cap instead of searching on', () => {
    const hunks = diffLines(['x', 'a', 'b', 'c', 'y'], ['x', '1', '2', '3', 'y'], 2);
    assert.deepEqual(hunks, [{ aStart: 1, aEnd: 4, bStart: 1, bEnd: 4 }]);
    // Ours changed lines 2 and 7, theirs line 4: with a tiny cap ours becomes one change over 2..7.
    const b = L('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const ours = L('a', 'B', 'c', 'd', 'e', 'f', 'G', 'h');
    const theirs = L('a', 'b', 'c', 'D', 'e', 'f', 'g', 'h');
    assert.deepEqual(merge3(b, ours, theirs), { clean: true, text: L('a', 'B', 'c', 'D', 'e', 'f', 'G', 'h') });
    assert.equal(merge3(b, ours, theirs, { limits: { maxEditDistance: 2 } }).clean, false);
    assert.ok(MERGE_LIMITS.maxEditDistance >= 1000);
  });

  it('merges two 20,000-line files with scattered edits', () => {
    const base = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`);
    const ours = base.map((l, i) => (i % 1000 === 10 ? `ours ${i}\n` : l));
    const theirs = base.map((l, i) => (i % 1000 === 500 ? `theirs ${i}\n` : l));
    const expected = base.map((l, i) => (i % 1000 === 10 ? `ours ${i}\n` : i % 1000 === 500 ? `theirs ${i}\n` : l));
    assert.deepEqual(merge3(base.join(''), ours.join(''), theirs.join('')), { clean: true, text: expected.join('') });
  });
});

describe('merge3: properties (seeded)', () => {
  type Edit = { start: number; end: number; lines: string[]; side: 'ours' | 'theirs' };

  /** Random edits (replace, delete or insert) on disjoint regions of base, at least one line apart. */
  function randomCase(rand: () => number, n: number): { base: string[]; edits: Edit[] } {
    const base = Array.from({ length: n }, (_, i) => `base ${i} ${Math.floor(rand() * 1e6)}${rand() < 0.2 ? '\r' : ''}\n`);
    const edits: Edit[] = [];
    let pos = Math.floor(rand() * 3);
    let counter = 0;
    while (pos <= n) {
      const kind = rand();
      const len = kind < 0.3 ? 0 : Math.min(n - pos, 1 + Math.floor(rand() * 3)); // 0: pure insertion
      const inserted = kind < 0.6 || len === 0 ? 1 + Math.floor(rand() * 3) : 0; // else a deletion
      const side = rand() < 0.5 ? 'ours' : 'theirs';
      if (len > 0 || inserted > 0) {
        edits.push({ start: pos, end: pos + len, lines: Array.from({ length: inserted }, () => `${side} ${counter++}\n`), side });
      }
      pos += len + 1 + Math.floor(rand() * 4); // at least one untouched line in between
    }
    return { base, edits };
  }

  function apply(base: string[], edits: Edit[]): string {
    const out: string[] = [];
    let at = 0;
    for (const e of edits) {
      out.push(...base.slice(at, e.start), ...e.lines);
      at = e.end;
    }
    out.push(...base.slice(at));
    return out.join('');
  }

  it('merges random edits on disjoint regions cleanly, containing both sides\' edits', () => {
    const rand = mulberry32(0x5eed);
    let [withoutFinalNewline, bothSides] = [0, 0];
    for (let round = 0; round < 300; round++) {
      const { base, edits } = randomCase(rand, Math.floor(rand() * 40));
      if (edits.some((e) => e.side === 'ours') && edits.some((e) => e.side === 'theirs')) bothSides++;
      // Half the rounds without a final newline on the last base line, when no edit is at the end
      // (appending to a line without a newline changes that line, so the regions would touch).
      const n = base.length;
      if (round % 2 === 1 && n > 0 && edits.every((e) => e.end < n - 1 && e.start < n - 1)) {
        base[n - 1] = base[n - 1]!.replace(/\r?\n$/, '');
        withoutFinalNewline++;
      }
      const b = base.join('');
      const o = apply(base, edits.filter((e) => e.side === 'ours'));
      const t = apply(base, edits.filter((e) => e.side === 'theirs'));
      const result = merge3(b, o, t);
      assert.deepEqual(result, { clean: true, text: apply(base, edits) }, `round ${round}`);
    }
    // The generator really exercised what the property is about.
    assert.ok(bothSides > 200 && withoutFinalNewline > 10, `${bothSides} rounds with both sides, ${withoutFinalNewline} without a final newline`);
  });

  it('merge(base, base, x) == x, merge(base, x, base) == x and merge(base, x, x) == x for any texts', () => {
    const rand = mulberry32(42);
    // A tiny alphabet gives many repeated lines: the hard case for a line diff.
    const text = (): string => Array.from({ length: Math.floor(rand() * 15) }, () => 'abc'[Math.floor(rand() * 3)]! + (rand() < 0.2 ? '\r\n' : '\n')).join('') + (rand() < 0.3 ? 'z' : '');
    for (let round = 0; round < 500; round++) {
      const [base, x] = [text(), text()];
      assert.deepEqual(merge3(base, base, x), { clean: true, text: x });
      assert.deepEqual(merge3(base, x, base), { clean: true, text: x });
      assert.deepEqual(merge3(base, x, x), { clean: true, text: x });
    }
  });

  it('is symmetric: swapping ours and theirs swaps the conflict sections, and marker count is the conflict count', () => {
    const rand = mulberry32(7);
    const text = (): string => Array.from({ length: Math.floor(rand() * 12) }, () => `${'abcd'[Math.floor(rand() * 4)]}\n`).join('');
    for (let round = 0; round < 500; round++) {
      const [base, ours, theirs] = [text(), text(), text()];
      const r = merge3(base, ours, theirs);
      const swapped = merge3(base, theirs, ours);
      assert.equal(resolve(r.text, 'ours'), resolve(swapped.text, 'theirs'), `round ${round}`);
      assert.equal(resolve(r.text, 'theirs'), resolve(swapped.text, 'ours'), `round ${round}`);
      assert.equal(resolve(r.text, 'base'), resolve(swapped.text, 'base'), `round ${round}`);
      const markers = splitLines(r.text).filter((l) => l.startsWith('<<<<<<< ')).length;
      assert.equal(markers, r.clean ? 0 : r.conflicts, `round ${round}`);
      // A conflict resolved as theirs everywhere is theirs whenever ours changed nothing theirs did not.
      if (r.clean && ours === base) assert.equal(r.text, theirs);
    }
  });

  /** Picks one section of every conflict (the inputs here have no marker-like lines of their own). */
  function resolve(text: string, pick: 'ours' | 'base' | 'theirs'): string {
    const out: string[] = [];
    let section: 'none' | 'ours' | 'base' | 'theirs' = 'none';
    for (const line of splitLines(text)) {
      if (line.startsWith('<<<<<<< ')) section = 'ours';
      else if (line.startsWith('||||||| ')) section = 'base';
      else if (line === '=======\n') section = 'theirs';
      else if (line.startsWith('>>>>>>> ')) section = 'none';
      else if (section === 'none' || section === pick) out.push(line);
    }
    return out.join('');
  }
});
