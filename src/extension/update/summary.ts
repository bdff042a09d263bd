import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import type { ConflictReason, FileUpdate, FileUpdateKind, UpdatePlan } from '../../core';
import { l10n } from '../l10n';
import { cleanText } from '../views/text';

/**
 * Pure pieces of the Update command: how a conflict was settled, the review summary's rows and
 * its one-line count, and what the command returns. No `vscode` here: unit-tested.
 */

/**
 * How the user settled one conflicting file. `unresolved`: the merge was completed with conflicting
 * regions left as VS Code's merge editor leaves them, with the installed version's text (update/regions.ts).
 */
export type ResolutionHow = 'merged' | 'ours' | 'theirs' | 'markers' | 'unresolved' | 'deleted';

export interface Resolution {
  /** The file's content after the update, or null: it is deleted (or stays deleted). */
  bytes: Uint8Array | null;
  how: ResolutionHow;
  /** For `unresolved`: how many conflicting regions were left. */
  regions?: number;
}

export interface ChangeRow {
  path: string;
  kind: FileUpdateKind;
  /** For a conflict: how it was settled. */
  how?: ResolutionHow;
  /** For a conflict completed with regions left unresolved: how many. */
  regions?: number;
  /** `updated`, `merged`, `added`, `kept your version`, … */
  word: string;
  /** A codicon id. */
  icon: string;
}

/** The file kinds the result of the Update command reports (unchanged files are left out). */
export interface ChangedFile {
  path: string;
  kind: FileUpdateKind;
  resolution?: ResolutionHow;
  /** For `unresolved`: how many conflicting regions kept the installed version's text. */
  unresolvedRegions?: number;
}

export function conflictsOf(plan: UpdatePlan): Extract<FileUpdate, { kind: 'conflict' }>[] {
  return plan.files.filter((f): f is Extract<FileUpdate, { kind: 'conflict' }> => f.kind === 'conflict');
}

/**
 * Whether a conflict can be merged in the merge editor: both sides are text and both changed it
 * (with the installed version as the base, or without one when it could not be fetched).
 */
export function isMergeable(conflict: Extract<FileUpdate, { kind: 'conflict' }>): boolean {
  const reason = conflict.reason === 'both-modified' || conflict.reason === 'no-base';
  return reason && conflict.ours !== undefined && conflict.theirs !== undefined && isText(conflict.ours) && isText(conflict.theirs);
}

/** UTF-8 without NUL bytes: what the engine merges as text, and what a text edit can write. */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether merged text still holds a conflict: a line that starts a marker block. */
export function hasConflictMarkers(text: string): boolean {
  return /^<{7}(?: |$)/m.test(text) && /^>{7}(?: |$)/m.test(text);
}

function howWord(how: ResolutionHow, regions = 0): string {
  switch (how) {
    case 'merged':
      return l10n.t('conflict resolved in the merge editor');
    case 'ours':
      return l10n.t('conflict: kept your version');
    case 'theirs':
      return l10n.t('conflict: took the new version');
    case 'markers':
      return l10n.t('conflict: written with conflict markers');
    case 'unresolved':
      return regions === 1
        ? l10n.t('conflict: 1 region left unresolved, with the installed version\'s text')
        : l10n.t('conflict: {0} regions left unresolved, with the installed version\'s text', regions);
    case 'deleted':
      return l10n.t('conflict: deleted');
  }
}

/** Why a file conflicts, in words (the quick pick for files the merge editor cannot take). */
export function reasonText(reason: ConflictReason): string {
  switch (reason) {
    case 'both-modified':
      return l10n.t('changed by you and by the template');
    case 'binary':
      return l10n.t('a binary file changed by you and by the template');
    case 'no-base':
      return l10n.t('changed by you and by the template; the installed version is not available to merge from');
    case 'modified-locally-removed-upstream':
      return l10n.t('changed by you, removed from the template');
    case 'deleted-locally-changed-upstream':
      return l10n.t('deleted by you, changed in the template');
    case 'exists-locally':
      return l10n.t('new in the template, but another file is already there');
  }
}

/** Every file the update touches or keeps as you left it, in path order (unchanged files left out). */
export function changeRows(plan: UpdatePlan, resolutions: ReadonlyMap<string, Resolution>): ChangeRow[] {
  const rows: ChangeRow[] = [];
  for (const f of plan.files) {
    if (f.kind === 'unchanged') continue;
    if (f.kind !== 'conflict') {
      rows.push({ path: f.path, kind: f.kind, ...settledRow(f.kind) });
      continue;
    }
    const r = resolutions.get(f.path);
    const open = r?.how === 'markers' || r?.how === 'unresolved';
    rows.push({
      path: f.path,
      kind: f.kind,
      ...(r ? { how: r.how } : {}),
      ...(r?.regions !== undefined ? { regions: r.regions } : {}),
      word: r ? howWord(r.how, r.regions) : l10n.t('conflict: not resolved'),
      icon: open ? 'warning' : 'check',
    });
  }
  return rows;
}

/** The word and codicon of a file the update settles without asking the user. */
function settledRow(kind: Exclude<FileUpdateKind, 'unchanged' | 'conflict'>): { word: string; icon: string } {
  switch (kind) {
    case 'update':
      return { word: l10n.t('updated'), icon: 'diff-modified' };
    case 'merged':
      return { word: l10n.t('merged with your changes'), icon: 'git-merge' };
    case 'added':
      return { word: l10n.t('added'), icon: 'diff-added' };
    case 'delete':
      return { word: l10n.t('deleted (removed from the template)'), icon: 'diff-removed' };
    case 'keep-ours':
      return { word: l10n.t('kept your version (the template did not change it)'), icon: 'circle-small' };
    case 'keep-deleted':
      return { word: l10n.t('stays deleted'), icon: 'circle-small' };
  }
}

/** The files the update writes or deletes (what Apply changes on disk). */
export function writtenCount(rows: readonly ChangeRow[]): number {
  return rows.filter((r) => r.kind === 'update' || r.kind === 'merged' || r.kind === 'added' || r.kind === 'delete' || (r.kind === 'conflict' && r.how !== 'ours')).length;
}

/** `2 updated · 1 merged · 1 added · 1 deleted · 1 kept · 1 conflict resolved · 2 conflicting regions left unresolved`. */
export function countsText(rows: readonly ChangeRow[]): string {
  const n = (k: FileUpdateKind) => rows.filter((r) => r.kind === k).length;
  const parts: string[] = [];
  if (n('update')) parts.push(l10n.t('{0} updated', n('update')));
  if (n('merged')) parts.push(l10n.t('{0} merged', n('merged')));
  if (n('added')) parts.push(l10n.t('{0} added', n('added')));
  if (n('delete')) parts.push(l10n.t('{0} deleted', n('delete')));
  const kept = n('keep-ours') + n('keep-deleted');
  if (kept) parts.push(l10n.t('{0} kept as you left them', kept));
  const conflicts = rows.filter((r) => r.kind === 'conflict');
  const resolved = conflicts.filter((r) => r.how !== 'markers' && r.how !== 'unresolved').length;
  const markers = conflicts.filter((r) => r.how === 'markers').length;
  const regions = conflicts.reduce((sum, r) => sum + (r.how === 'unresolved' ? (r.regions ?? 0) : 0), 0);
  if (resolved) parts.push(resolved === 1 ? l10n.t('1 conflict resolved') : l10n.t('{0} conflicts resolved', resolved));
  if (markers) parts.push(markers === 1 ? l10n.t('1 file with conflict markers') : l10n.t('{0} files with conflict markers', markers));
  if (regions) parts.push(regions === 1 ? l10n.t('1 conflicting region left unresolved') : l10n.t('{0} conflicting regions left unresolved', regions));
  return parts.length > 0 ? parts.join(' · ') : l10n.t('no file changes');
}

/** `README 1.0.0 → 2.0.0`, with catalog text made safe for a title. */
export function updateTitle(name: string, from: string, to: string): string {
  return l10n.t('Update {0} {1} → {2}', cleanText(name, 80), cleanText(from, 40), cleanText(to, 40));
}

/** What the command returns for its files. */
export function changedFiles(plan: UpdatePlan, resolutions: ReadonlyMap<string, Resolution>): ChangedFile[] {
  return plan.files
    .filter((f) => f.kind !== 'unchanged')
    .map((f) => {
      const r = f.kind === 'conflict' ? resolutions.get(f.path) : undefined;
      return { path: f.path, kind: f.kind, ...(r ? { resolution: r.how } : {}), ...(r?.how === 'unresolved' ? { unresolvedRegions: r.regions ?? 0 } : {}) };
    });
}
