import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileUpdate, UpdatePlan } from '../../../src/core';
import { merge3 } from '../../../src/core/update/merge3';
import { ArgumentError, parseUpdateArgs } from '../../../src/extension/commands/args';
import { mergeOutcome } from '../../../src/extension/update/regions';
import { changedFiles, changeRows, conflictsOf, countsText, hasConflictMarkers, isMergeable, isText, writtenCount, type Resolution } from '../../../src/extension/update/summary';

const bytes = (s: string) => new TextEncoder().encode(s);

function plan(files: FileUpdate[]): UpdatePlan {
  const counts = { unchanged: 0, update: 0, 'keep-ours': 0, merged: 0, added: 0, delete: 0, 'keep-deleted': 0, conflict: 0 };
  for (const f of files) counts[f.kind]++;
  return { files, counts, clean: counts.conflict === 0, recordFiles: [] };
}

const PLAN = plan([
  { path: 'a.md', kind: 'unchanged' },
  { path: 'b.md', kind: 'update', bytes: bytes('b2') },
  { path: 'c.md', kind: 'merged', bytes: bytes('c-merged') },
  { path: 'd.md', kind: 'added', bytes: bytes('d') },
  { path: 'e.md', kind: 'delete' },
  { path: 'f.md', kind: 'keep-ours' },
  { path: 'g.md', kind: 'keep-deleted' },
  { path: 'h.md', kind: 'conflict', reason: 'both-modified', ours: bytes('mine\n'), theirs: bytes('theirs\n'), base: bytes('base\n'), merged: bytes('<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> 2.0.0\n'), conflicts: 1 },
  { path: 'i.bin', kind: 'conflict', reason: 'binary', ours: Uint8Array.of(0, 1), theirs: Uint8Array.of(0, 2), base: Uint8Array.of(0, 3), conflicts: 1 },
]);

describe('update summary', () => {
  it('lists every change but the unchanged files, in words, with the way each conflict was settled', () => {
    const resolutions = new Map<string, Resolution>([
      ['h.md', { bytes: bytes('mine and theirs\n'), how: 'merged' }],
      ['i.bin', { bytes: Uint8Array.of(0, 1), how: 'ours' }],
    ]);
    const rows = changeRows(PLAN, resolutions);
    assert.deepEqual(
      rows.map((r) => [r.path, r.word]),
      [
        ['b.md', 'updated'],
        ['c.md', 'merged with your changes'],
        ['d.md', 'added'],
        ['e.md', 'deleted (removed from the template)'],
        ['f.md', 'kept your version (the template did not change it)'],
        ['g.md', 'stays deleted'],
        ['h.md', 'conflict resolved in the merge editor'],
        ['i.bin', 'conflict: kept your version'],
      ],
    );
    assert.equal(countsText(rows), '1 updated · 1 merged · 1 added · 1 deleted · 2 kept as you left them · 2 conflicts resolved');
    assert.equal(writtenCount(rows), 5, 'b, c, d, e and h change on disk; keeping your version writes nothing');
    assert.deepEqual(changedFiles(PLAN, resolutions).slice(-2), [
      { path: 'h.md', kind: 'conflict', resolution: 'merged' },
      { path: 'i.bin', kind: 'conflict', resolution: 'ours' },
    ]);
    assert.equal(countsText([]), 'no file changes');
  });

  it('says so when a merge was completed with conflicting regions left (not "resolved")', () => {
    const resolutions = new Map<string, Resolution>([
      ['h.md', { bytes: bytes('old text kept\n'), how: 'unresolved', regions: 2 }],
      ['i.bin', { bytes: Uint8Array.of(0, 1), how: 'ours' }],
    ]);
    const rows = changeRows(PLAN, resolutions);
    const h = rows.find((r) => r.path === 'h.md')!;
    assert.equal(h.word, "conflict: 2 regions left unresolved, with the installed version's text");
    assert.equal(h.icon, 'warning');
    assert.match(countsText(rows), / · 1 conflict resolved · 2 conflicting regions left unresolved$/, 'only i.bin counts as resolved');
    assert.deepEqual(changedFiles(PLAN, resolutions).find((f) => f.path === 'h.md'), { path: 'h.md', kind: 'conflict', resolution: 'unresolved', unresolvedRegions: 2 });
    const one = changeRows(PLAN, new Map([['h.md', { bytes: bytes('x\n'), how: 'unresolved', regions: 1 } satisfies Resolution]]));
    assert.equal(one.find((r) => r.path === 'h.md')!.word, "conflict: 1 region left unresolved, with the installed version's text");
    const markers = changeRows(PLAN, new Map([['h.md', { bytes: bytes('<<<<<<<\n'), how: 'markers' } satisfies Resolution]]));
    assert.match(countsText(markers), / · 1 file with conflict markers$/);
  });

  it('judges a completed merge: merged, markers left, or regions left with the base text', () => {
    const initial = merge3('a\nb\nc\nd\ne\n', 'a\nB mine\nc\nd\ne\n', 'a\nB v2\nc\nd\ne\n').text;
    assert.deepEqual(mergeOutcome(initial, 'a\nB both\nc\nd\ne\n'), { how: 'merged' });
    assert.deepEqual(mergeOutcome(initial, initial), { how: 'markers' });
    const left = mergeOutcome(initial, 'a\nb\nc\nd\ne\n');
    assert.equal(left.how, 'unresolved');
    assert.equal(left.how === 'unresolved' && left.regions, 1);
    assert.equal(left.how === 'unresolved' && hasConflictMarkers(left.withMarkers), true, 'written with markers on request');
  });

  it('sends only text that both sides changed to the merge editor', () => {
    const [text, binary] = conflictsOf(PLAN);
    assert.equal(isMergeable(text!), true);
    assert.equal(isMergeable(binary!), false);
    const noBase = { path: 'n.md', kind: 'conflict' as const, reason: 'no-base' as const, ours: bytes('a\n'), theirs: bytes('b\n'), conflicts: 1 };
    assert.equal(isMergeable(noBase), true, 'without a base, text still goes to the merge editor (as one whole-file conflict)');
    assert.equal(isMergeable({ ...noBase, reason: 'deleted-locally-changed-upstream', ours: undefined }), false);
    assert.equal(isText(bytes('héllo')), true);
    assert.equal(isText(Uint8Array.of(0xff, 0xfe)), false);
  });

  it('recognises conflict markers left in a merge result', () => {
    assert.equal(hasConflictMarkers('<<<<<<< yours\na\n=======\nb\n>>>>>>> 2.0.0\n'), true);
    assert.equal(hasConflictMarkers('a\n<<<<<<<< not a marker\n'), false);
    assert.equal(hasConflictMarkers('merged\n'), false);
  });
});

describe('updateTemplate arguments', () => {
  it('reads answers: id, dir, variables, resolutions (text or null), confirmed, merge', () => {
    const inv = parseUpdateArgs({ id: 'samples/readme', dir: '/work/demo', variables: { a: 'b' }, resolutions: { 'README.md': 'text', 'old.md': null }, confirmed: true });
    assert.equal(inv.kind, 'answers');
    if (inv.kind !== 'answers') return;
    assert.equal(inv.answers.id, 'samples/readme');
    assert.equal(inv.answers.dir, '/work/demo');
    assert.deepEqual([...inv.answers.resolutions], [['README.md', 'text'], ['old.md', null]]);
    assert.equal(inv.answers.confirmed, true);
    assert.equal(inv.answers.merge, false);
  });

  it('treats tree nodes and nothing as interactive', () => {
    assert.deepEqual(parseUpdateArgs(undefined), { kind: 'interactive' });
    assert.deepEqual(parseUpdateArgs({ kind: 'installed', id: 'installed//ws/s/readme', ref: 's/readme' }), { kind: 'interactive' });
  });

  it('refuses unusable answers', () => {
    assert.throws(() => parseUpdateArgs({ id: '' }), ArgumentError);
    assert.throws(() => parseUpdateArgs({ id: 'x', dir: 'relative/dir' }), ArgumentError);
    assert.throws(() => parseUpdateArgs({ id: 'x', resolutions: { 'a.md': 3 } }), ArgumentError);
    assert.throws(() => parseUpdateArgs({ id: 'x', confirmed: 'yes' }), ArgumentError);
  });
});
