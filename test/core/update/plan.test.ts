import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf } from '../../../src/core/provenance';
import { planUpdate, type FileUpdate, type UpdatePlanInput } from '../../../src/core/update';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const L = (...lines: string[]): string => lines.map((l) => `${l}\n`).join('');

type Files = Record<string, string>;

/**
 * A scenario: v1 was installed (its rendering recorded), the disk then changed, and v2 renders
 * `v2`. `disk` lists the files as they are now (a recorded path left out was deleted).
 */
function plan(v1: Files, disk: Files, v2: Files, extra: Partial<UpdatePlanInput> = {}) {
  const toMap = (files: Files): Map<string, Uint8Array> => new Map(Object.entries(files).map(([p, s]) => [p, enc(s)]));
  return planUpdate({
    recorded: Object.entries(v1).map(([path, text]) => ({ path, sha256: digestOf(enc(text)) })),
    current: toMap(disk),
    oldRendering: toMap(v1),
    newRendering: toMap(v2),
    ...extra,
  });
}

function only(files: FileUpdate[], path: string): FileUpdate {
  const f = files.find((x) => x.path === path);
  assert.ok(f, `no decision for ${path}`);
  return f;
}

const README_V1 = L('# Demo', '', 'Intro.', '', '## Usage', '', 'Run it.', '', '## License', '', 'MIT');
const README_V2 = L('# Demo', '', 'Intro.', '', '## Usage', '', 'Run it with --fast.', '', '## License', '', 'MIT');

describe('planUpdate', () => {
  it('clean update: untouched files take the new version, identical ones are unchanged', () => {
    const p = plan({ 'README.md': README_V1, 'LICENSE': 'MIT' }, { 'README.md': README_V1, 'LICENSE': 'MIT' }, { 'README.md': README_V2, 'LICENSE': 'MIT' });
    assert.equal(p.clean, true);
    assert.deepEqual(only(p.files, 'LICENSE'), { path: 'LICENSE', kind: 'unchanged' });
    const readme = only(p.files, 'README.md');
    assert.equal(readme.kind, 'update');
    assert.equal(dec((readme as { bytes: Uint8Array }).bytes), README_V2);
    assert.deepEqual(p.recordFiles, [
      { path: 'LICENSE', sha256: digestOf(enc('MIT')) },
      { path: 'README.md', sha256: digestOf(enc(README_V2)) },
    ]);
    assert.equal(p.counts.update, 1);
    assert.equal(p.counts.unchanged, 1);
  });

  it('local edits that merge cleanly with the new version', () => {
    const edited = README_V1.replace('Intro.', 'Our own intro.');
    const p = plan({ 'README.md': README_V1 }, { 'README.md': edited }, { 'README.md': README_V2 });
    assert.equal(p.clean, true);
    const f = only(p.files, 'README.md');
    assert.equal(f.kind, 'merged');
    assert.equal(dec((f as { bytes: Uint8Array }).bytes), README_V2.replace('Intro.', 'Our own intro.'));
    // The record keeps the new rendering as the next base, not the merged content.
    assert.deepEqual(p.recordFiles, [{ path: 'README.md', sha256: digestOf(enc(README_V2)) }]);
  });

  it('local edits the new version did not touch are kept', () => {
    const edited = README_V1.replace('Intro.', 'Mine.');
    const p = plan({ 'README.md': README_V1, 'a.txt': 'a' }, { 'README.md': edited, 'a.txt': 'a' }, { 'README.md': README_V1, 'a.txt': 'A' });
    assert.deepEqual(only(p.files, 'README.md'), { path: 'README.md', kind: 'keep-ours' });
    assert.equal(only(p.files, 'a.txt').kind, 'update');
  });

  it('the same edit made locally and upstream is unchanged', () => {
    const p = plan({ 'README.md': README_V1 }, { 'README.md': README_V2 }, { 'README.md': README_V2 });
    assert.deepEqual(p.files, [{ path: 'README.md', kind: 'unchanged' }]);
  });

  it('conflicting update: overlapping edits give a conflict with markers, base, ours and theirs', () => {
    const edited = README_V1.replace('Run it.', 'Run it slowly.');
    const p = plan({ 'README.md': README_V1 }, { 'README.md': edited }, { 'README.md': README_V2 }, { merge: { labels: { ours: 'local', theirs: 'demo 2.0.0' } } });
    assert.equal(p.clean, false);
    assert.equal(p.counts.conflict, 1);
    const f = only(p.files, 'README.md');
    assert.ok(f.kind === 'conflict');
    assert.equal(f.reason, 'both-modified');
    assert.equal(f.conflicts, 1);
    assert.deepEqual([dec(f.ours), dec(f.base), dec(f.theirs)], [edited, README_V1, README_V2]);
    assert.match(dec(f.merged)!, /<<<<<<< local\nRun it slowly\.\n\|\|\|\|\|\|\| base\nRun it\.\n=======\nRun it with --fast\.\n>>>>>>> demo 2\.0\.0\n/);
  });

  it('a file deleted locally stays deleted unless upstream changed it', () => {
    const p = plan({ 'a.md': 'a', 'b.md': 'b' }, {}, { 'a.md': 'a', 'b.md': 'B' });
    assert.deepEqual(only(p.files, 'a.md'), { path: 'a.md', kind: 'keep-deleted' });
    const b = only(p.files, 'b.md');
    assert.ok(b.kind === 'conflict');
    assert.equal(b.reason, 'deleted-locally-changed-upstream');
    assert.deepEqual([b.ours, dec(b.theirs), dec(b.base)], [undefined, 'B', 'b']);
    // Still recorded, so the next update does not see it as new and bring it back.
    assert.deepEqual(p.recordFiles.map((f) => f.path), ['a.md', 'b.md']);
  });

  it('a file removed in v2 is deleted when unmodified, a conflict when modified, and gone when already deleted', () => {
    const p = plan({ 'old.md': 'old', 'edited.md': 'x', 'gone.md': 'g', 'keep.md': 'k' }, { 'old.md': 'old', 'edited.md': 'x, edited', 'keep.md': 'k' }, { 'keep.md': 'k' });
    assert.deepEqual(only(p.files, 'old.md'), { path: 'old.md', kind: 'delete' });
    assert.deepEqual(only(p.files, 'gone.md'), { path: 'gone.md', kind: 'keep-deleted' });
    const edited = only(p.files, 'edited.md');
    assert.ok(edited.kind === 'conflict');
    assert.equal(edited.reason, 'modified-locally-removed-upstream');
    assert.deepEqual([dec(edited.ours), dec(edited.base), edited.theirs], ['x, edited', 'x', undefined]);
    assert.deepEqual(p.recordFiles.map((f) => f.path), ['keep.md']);
  });

  it('a new file in v2 is added, adopted when identical, and a conflict when something else is there', () => {
    const p = plan({ 'a.md': 'a' }, { 'a.md': 'a', 'same.md': 'S', 'other.md': 'mine' }, { 'a.md': 'a', 'new.md': 'N', 'same.md': 'S', 'other.md': 'theirs' });
    const added = only(p.files, 'new.md');
    assert.equal(added.kind, 'added');
    assert.equal(dec((added as { bytes: Uint8Array }).bytes), 'N');
    assert.deepEqual(only(p.files, 'same.md'), { path: 'same.md', kind: 'unchanged' });
    const other = only(p.files, 'other.md');
    assert.ok(other.kind === 'conflict');
    assert.equal(other.reason, 'exists-locally');
    assert.deepEqual(p.recordFiles.map((f) => f.path), ['a.md', 'new.md', 'other.md', 'same.md']);
  });

  it('cannot merge without the old rendering, or when it does not match what was written', () => {
    const edited = README_V1.replace('Intro.', 'Mine.');
    const recorded = [{ path: 'README.md', sha256: digestOf(enc(README_V1)) }];
    const base = { recorded, current: new Map([['README.md', enc(edited)]]), newRendering: new Map([['README.md', enc(README_V2)]]) };
    const none = planUpdate({ ...base, oldRendering: new Map() });
    assert.equal(none.files[0]!.kind === 'conflict' && none.files[0]!.reason, 'no-base');
    const wrong = planUpdate({ ...base, oldRendering: new Map([['README.md', enc('something else')]]) });
    assert.equal(wrong.files[0]!.kind === 'conflict' && wrong.files[0]!.reason, 'no-base');
    // Digests alone still decide everything that needs no merge.
    const untouched = planUpdate({ ...base, current: new Map([['README.md', enc(README_V1)]]), oldRendering: new Map() });
    assert.equal(untouched.files[0]!.kind, 'update');
  });

  it('binary files both sides changed are a conflict; one-sided changes are not', () => {
    const bin = (...b: number[]): string => String.fromCharCode(0, ...b);
    const p = plan({ 'logo.png': bin(1), 'icon.png': bin(1) }, { 'logo.png': bin(2), 'icon.png': bin(2) }, { 'logo.png': bin(3), 'icon.png': bin(1) });
    const logo = only(p.files, 'logo.png');
    assert.equal(logo.kind === 'conflict' && logo.reason, 'binary');
    assert.deepEqual(only(p.files, 'icon.png'), { path: 'icon.png', kind: 'keep-ours' });
  });

  it('returns decisions sorted by path and counts every kind', () => {
    const p = plan({ 'b': '1', 'a': '1' }, { 'b': '1', 'a': '1' }, { 'c': '1', 'b': '2', 'a': '1' });
    assert.deepEqual(p.files.map((f) => f.path), ['a', 'b', 'c']);
    assert.deepEqual(p.counts, { unchanged: 1, update: 1, 'keep-ours': 0, merged: 0, added: 1, delete: 0, 'keep-deleted': 0, conflict: 0 });
  });
});
