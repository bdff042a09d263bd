import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { merge3 } from '../../../src/core/update/merge3';
import { parseMarkedMerge, unresolvedRegions } from '../../../src/extension/update/regions';

const BASE = 'title\none\ntwo\nthree\nfour\nfive\nsix\nseven\n';
const OURS = 'title\nONE (mine)\ntwo\nthree\nfour\nfive\nSIX (mine)\nseven\n';
const THEIRS = 'title\nONE (v2)\ntwo\nthree\nfour\nfive\nSIX (v2)\nseven\n';
const MERGED = merge3(BASE, OURS, THEIRS, { labels: { ours: 'yours', base: '1.0.0', theirs: '2.0.0' } }).text;

describe('unresolvedRegions (a merge completed with conflicts left)', () => {
  it('the engine merge has two conflicts between text both sides agree on', () => {
    const parsed = parseMarkedMerge(MERGED)!;
    assert.equal(parsed.blocks.length, 2);
    assert.deepEqual(
      parsed.blocks.map((b) => [b.ours, b.base, b.theirs]),
      [
        ['ONE (mine)\n', 'one\n', 'ONE (v2)\n'],
        ['SIX (mine)\n', 'six\n', 'SIX (v2)\n'],
      ],
    );
    assert.deepEqual(parsed.between, ['title\n', 'two\nthree\nfour\nfive\n', 'seven\n']);
  });

  it('counts the regions VS Code left as the base text (its reset state), and re-marks only those', () => {
    // What the merge editor saves on "Complete with Conflicts" after resolving only the second region.
    const result = 'title\none\ntwo\nthree\nfour\nfive\nSIX (mine and v2)\nseven\n';
    const r = unresolvedRegions(MERGED, result)!;
    assert.equal(r.count, 1);
    assert.match(r.withMarkers, /^<{7} yours\nONE \(mine\)\n\|{7} 1\.0\.0\none\n={7}\nONE \(v2\)\n>{7} 2\.0\.0\n/m);
    assert.match(r.withMarkers, /SIX \(mine and v2\)\nseven\n$/);
    assert.equal(r.withMarkers.match(/^<{7}/gm)?.length, 1);
  });

  it('counts every region when nothing was resolved, none when all were', () => {
    assert.equal(unresolvedRegions(MERGED, BASE)?.count, 2);
    const resolved = unresolvedRegions(MERGED, 'title\nONE (mine)\ntwo\nthree\nfour\nfive\nSIX (v2)\nseven\n')!;
    assert.equal(resolved.count, 0);
    assert.equal(resolved.withMarkers, 'title\nONE (mine)\ntwo\nthree\nfour\nfive\nSIX (v2)\nseven\n');
  });

  it('claims nothing when the result cannot be laid over the merge', () => {
    assert.equal(unresolvedRegions(MERGED, 'something else entirely\n'), undefined, 'text between conflicts edited');
    assert.equal(unresolvedRegions('no markers\n', 'no markers\n'), undefined);
    assert.equal(unresolvedRegions('<<<<<<< a\nx\n=======\n', 'x\n'), undefined, 'markers without an end');
  });

  it('a conflict at the end of a file without a final newline', () => {
    const merged = merge3('a\nb', 'a\nB mine', 'a\nB v2').text;
    assert.equal(unresolvedRegions(merged, 'a\nb')?.count, 1);
    assert.equal(unresolvedRegions(merged, 'a\nB both')?.count, 0);
  });

  it('the whole-file conflict made without a base (nothing to compare against: an empty base)', () => {
    const merged = merge3('', 'mine\n', 'v2\n').text;
    assert.equal(unresolvedRegions(merged, '')?.count, 1);
    assert.equal(unresolvedRegions(merged, 'mine\n')?.count, 0);
  });
});
