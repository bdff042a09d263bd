import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstalledStatus, ProvenanceEntry } from '../../../../src/core';
import { buildInstalledTree, childrenOf, installedMarks, installedTooltip, markText, presentInstalled, stateText, type FolderReport } from '../../../../src/extension/views/installed/model';
import { present, type PresentContext } from '../../../../src/extension/views/present';
import { nodeIds, type CategoryNode, type SourceNode, type TemplateNode } from '../../../../src/extension/views/nodes';
import { HOSTILE, listed, markdownIt, status as sourceStatus } from '../../fixtures';

const NOW = Date.UTC(2026, 10, 10, 12);

function entry(ref: string, fields: { version?: string; variables?: Record<string, string>; files?: string[] } = {}): ProvenanceEntry {
  const [source, id] = ref.split('/') as [string, string];
  return {
    marketplace: { id: source, url: `https://${source}.example/`, catalogKeyId: 'a'.repeat(64) },
    template: { id, version: fields.version ?? '1.0.0', sha256: 'b'.repeat(64), publisherKeyId: 'c'.repeat(64), signature: 'sig' },
    installedAt: '2026-11-10T09:00:00Z',
    verifiedAt: '2026-11-10T09:00:00Z',
    variables: fields.variables ?? { projectName: 'demo' },
    files: (fields.files ?? ['README.md']).map((path) => ({ path, sha256: 'd'.repeat(64) })),
  };
}

function status(state: InstalledStatus['state'], fields: Partial<InstalledStatus> = {}): InstalledStatus {
  const modified = fields.modified ?? [];
  const missing = fields.missing ?? [];
  return {
    state,
    flags: {
      updateAvailable: state === 'update-available',
      notInCatalog: state === 'not-in-catalog',
      missingFiles: missing.length > 0,
      locallyModified: modified.length > 0,
      republished: false,
    },
    installedVersion: '1.0.0',
    ...(state === 'update-available' ? { catalogVersion: '2.0.0' } : state === 'not-in-catalog' ? {} : { catalogVersion: '1.0.0' }),
    modified,
    missing,
    ...fields,
  };
}

function report(dir: string, label: string, entries: [string, InstalledStatus][]): FolderReport {
  return { dir, label, entries: entries.map(([ref, s]) => ({ entry: entry(ref), status: s })) };
}

describe('Installed Templates model', () => {
  it('builds folders → templates → changed files, sorted, with stable ids', () => {
    const tree = buildInstalledTree(
      [
        report('/ws/b', 'b', [['samples/readme', status('up-to-date')]]),
        report('/ws', 'ws', [
          ['samples/readme', status('locally-modified', { modified: ['README.md'], missing: ['docs/a.md'] })],
          ['acme/changelog', status('update-available')],
        ]),
      ],
      new Map([['samples/readme', 'README']]),
    );
    assert.deepEqual(tree.map((f) => f.label), ['b', 'ws']);
    const ws = tree[1]!;
    assert.deepEqual(ws.templates.map((t) => t.ref), ['acme/changelog', 'samples/readme']);
    const readme = ws.templates[1]!;
    assert.equal(readme.name, 'README');
    assert.equal(readme.id, 'installed//ws/samples/readme');
    const files = childrenOf(readme);
    assert.deepEqual(files.map((f) => (f.kind === 'file' ? [f.path, f.change] : f.kind)), [['README.md', 'modified'], ['docs/a.md', 'missing']]);
    assert.deepEqual(childrenOf(ws.templates[0]!), [], 'nothing drifted: no children');
  });

  it('shows an unreadable record as one message under its folder', () => {
    const [folder] = buildInstalledTree([{ dir: '/ws', label: 'ws', problem: 'entries[0].files[0].sha256: expected 64 lowercase hex characters' }]);
    const [child] = childrenOf(folder!);
    assert.equal(child?.kind, 'message');
    const p = presentInstalled(folder!, { multipleFolders: false });
    assert.equal(p.description, 'record unreadable');
    assert.equal(p.icon.id, 'error');
  });

  it('presents each state with its words, icon and context tokens', () => {
    const [folder] = buildInstalledTree([
      report('/ws', 'ws', [
        ['s/up', status('up-to-date')],
        ['s/upd', status('update-available', { modified: ['a.md'] })],
        ['s/mod', status('locally-modified', { modified: ['a.md', 'b.md'] })],
        ['s/miss', status('missing-files', { missing: ['a.md'] })],
        ['s/gone', status('not-in-catalog')],
      ]),
    ]);
    const byRef = new Map(folder!.templates.map((t) => [t.ref, presentInstalled(t, { multipleFolders: false })]));
    assert.equal(byRef.get('s/up')!.description, '1.0.0 · up to date');
    assert.equal(byRef.get('s/upd')!.description, 'update available: 2.0.0 · 1 file modified');
    assert.equal(byRef.get('s/mod')!.description, '1.0.0 · 2 files modified');
    assert.equal(byRef.get('s/miss')!.description, '1.0.0 · 1 file missing');
    assert.equal(byRef.get('s/gone')!.description, '1.0.0 · no longer in the catalog');
    assert.equal(byRef.get('s/upd')!.contextValue, 'installed:update-available:canUpdate:drift');
    assert.equal(byRef.get('s/up')!.contextValue, 'installed:up-to-date');
    assert.match(byRef.get('s/upd')!.a11yLabel, /^upd, version 1\.0\.0, update available: 2\.0\.0, 1 file modified$/);
    assert.deepEqual([...byRef.values()].map((p) => p.icon.id), ['circle-slash', 'warning', 'edit', 'pass', 'arrow-circle-up']);
    assert.equal(byRef.get('s/mod')!.collapsible, 'collapsed');
    assert.equal(byRef.get('s/up')!.collapsible, 'none');
    const f = presentInstalled(folder!, { multipleFolders: false });
    assert.equal(f.description, '5 templates · 1 with updates');
    assert.equal(f.contextValue, 'installedFolder:canUpdate');
    assert.equal(f.collapsible, 'expanded');
    assert.equal(presentInstalled(folder!, { multipleFolders: true }).collapsible, 'collapsed');
  });

  it('says when the record names a marketplace that is not configured, rather than "no longer in the catalog"', () => {
    const [folder] = buildInstalledTree([report('/ws', 'ws', [['gone/x', status('not-in-catalog')], ['team/y', status('not-in-catalog')]])], new Map(), new Set(['team']));
    const [gone, team] = folder!.templates.map((t) => presentInstalled(t, { multipleFolders: false }).description);
    assert.equal(gone, '1.0.0 · marketplace "gone" is not configured');
    assert.equal(team, '1.0.0 · no longer in the catalog');
  });

  it('states read as words for every state', () => {
    assert.equal(stateText(status('update-available')), 'update available: 2.0.0');
    assert.equal(stateText(status('not-in-catalog')), 'no longer in the catalog');
    assert.equal(stateText(status('up-to-date')), 'up to date');
  });

  it('keeps hostile record text inert in labels and tooltips', () => {
    const hostile: FolderReport = {
      dir: '/ws',
      label: 'ws',
      entries: [{ entry: { ...entry('evil/x', { variables: { v: HOSTILE } }), marketplace: { id: 'evil', url: HOSTILE, catalogKeyId: 'a'.repeat(64) } }, status: status('locally-modified', { modified: [HOSTILE] }) }],
    };
    const [folder] = buildInstalledTree([hostile], new Map([['evil/x', HOSTILE]]));
    const node = folder!.templates[0]!;
    const p = presentInstalled(node, { multipleFolders: false });
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(p.label, /[\u0000-\u001f\u202e\u2066]/);
    const html = markdownIt().render(installedTooltip(node, NOW)!);
    assert.doesNotMatch(html, /<a |<img|<script|<h1|<em>|<code>|<del>|href=/, html);
    const tags = new Set([...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
    assert.deepEqual([...tags].sort(), ['br', 'p', 'strong']);
  });
});

describe('Marketplace tree marks', () => {
  const folders = buildInstalledTree([
    report('/ws/a', 'a', [['s/readme', status('up-to-date')]]),
    report('/ws/b', 'b', [
      ['s/readme', status('update-available')],
      ['s/notes', status('locally-modified', { modified: ['n.md'] })],
    ]),
  ]);

  it('merges the folders: the most urgent state wins, and any update counts', () => {
    const marks = installedMarks(folders);
    assert.deepEqual(marks.get('s/readme'), { state: 'update-available', updateAvailable: true, folders: 2 });
    assert.deepEqual(marks.get('s/notes'), { state: 'locally-modified', updateAvailable: false, folders: 1 });
    assert.equal(markText(marks.get('s/readme')!), 'update available');
    assert.equal(markText(marks.get('s/notes')!), 'installed');
  });

  it('appear in the Marketplace row: description, context token, screen-reader name', () => {
    const marks = installedMarks(folders);
    const ctx: PresentContext = { now: NOW, locale: 'en', sourceCount: 1, verification: () => undefined, installed: (ref) => marks.get(ref) };
    const node = (ref: string): TemplateNode => {
      const template = listed(ref, { name: 'README' });
      const source: SourceNode = { kind: 'source', id: nodeIds.source('s'), sourceId: 's', status: sourceStatus('s'), custom: false, shown: 1 };
      const category: CategoryNode = { kind: 'category', id: nodeIds.category('s', 'documentation'), parent: source, name: 'documentation', count: 1 };
      return { kind: 'template', id: nodeIds.template(ref), parent: category, ref, template };
    };
    const updatable = present(node('s/readme'), ctx);
    assert.equal(updatable.description, '1.0.0 · update available');
    assert.equal(updatable.contextValue, 'template:installed:canUpdate');
    assert.match(updatable.a11yLabel, /update available$/);
    assert.equal(present(node('s/notes'), ctx).contextValue, 'template:installed');
    assert.equal(present(node('s/other'), ctx).contextValue, 'template');
    assert.equal(present(node('s/other'), ctx).description, '1.0.0');
  });
});
