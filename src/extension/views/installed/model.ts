import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import type { InstalledState, InstalledStatus, ProvenanceEntry } from '../../../core';
import { l10n } from '../../l10n';
import { formatAgo } from '../format';
import { cleanText, escapeMarkdown } from '../text';

/**
 * The Installed Templates view's model, pure (no `vscode`): folder (a folder with a
 * `.template-marketplace.json`) → installed template → its modified or missing files. The provider
 * reads the records through the engine and turns these presentations into `TreeItem`s.
 */

export type InstalledNode = FolderNode | InstalledTemplateNode | ChangedFileNode | InstalledMessageNode;

export interface FolderNode {
  readonly kind: 'folder';
  readonly id: string;
  /** Absolute path of the folder holding the record. */
  readonly dir: string;
  /** How the folder is named to the user: workspace-relative (`.` for a workspace folder itself). */
  readonly label: string;
  readonly templates: readonly InstalledTemplateNode[];
  /** The record could not be read (invalid, too large, a symbolic link…): the reason, engine text. */
  readonly problem?: string;
}

export interface InstalledTemplateNode {
  readonly kind: 'installed';
  readonly id: string;
  readonly parent: FolderNode;
  /** `<marketplace>/<template>`: the ref the Marketplace tree and the engine use. */
  readonly ref: string;
  readonly entry: ProvenanceEntry;
  readonly status: InstalledStatus;
  /** The catalog's display name, when the catalog still lists it. */
  readonly name?: string;
  /** False when the record's marketplace is not among the configured ones (not "removed from the catalog"). */
  readonly sourceConfigured: boolean;
}

export interface ChangedFileNode {
  readonly kind: 'file';
  readonly id: string;
  readonly parent: InstalledTemplateNode;
  /** Record path, relative to the folder. */
  readonly path: string;
  readonly change: 'modified' | 'missing';
}

export interface InstalledMessageNode {
  readonly kind: 'message';
  readonly id: string;
  readonly parent: FolderNode;
  readonly text: string;
}

/** One folder's record as read by the engine, or why it could not be. */
export interface FolderReport {
  dir: string;
  label: string;
  entries?: readonly { entry: ProvenanceEntry; status: InstalledStatus }[];
  problem?: string;
}

/** Builds the tree from the folders' reports: folders by label, templates by ref. */
export function buildInstalledTree(reports: readonly FolderReport[], names: ReadonlyMap<string, string> = new Map(), sources?: ReadonlySet<string>): FolderNode[] {
  return [...reports]
    .sort((a, b) => a.label.localeCompare(b.label) || a.dir.localeCompare(b.dir))
    .map((report) => {
      const templates: InstalledTemplateNode[] = [];
      const folder: FolderNode = {
        kind: 'folder',
        id: `folder/${report.dir}`,
        dir: report.dir,
        label: report.label,
        templates,
        ...(report.problem !== undefined ? { problem: report.problem } : {}),
      };
      for (const { entry, status } of report.entries ?? []) {
        const ref = `${entry.marketplace.id}/${entry.template.id}`;
        const name = names.get(ref);
        const sourceConfigured = sources?.has(entry.marketplace.id) ?? true;
        templates.push({ kind: 'installed', id: `installed/${report.dir}/${ref}`, parent: folder, ref, entry, status, sourceConfigured, ...(name !== undefined ? { name } : {}) });
      }
      templates.sort((a, b) => a.ref.localeCompare(b.ref));
      return folder;
    });
}

export function childrenOf(node: InstalledNode): InstalledNode[] {
  switch (node.kind) {
    case 'folder':
      return node.problem !== undefined ? [{ kind: 'message', id: `${node.id}/problem`, parent: node, text: node.problem }] : [...node.templates];
    case 'installed':
      return [
        ...node.status.modified.map((path): ChangedFileNode => ({ kind: 'file', id: `${node.id}/modified/${path}`, parent: node, path, change: 'modified' })),
        ...node.status.missing.map((path): ChangedFileNode => ({ kind: 'file', id: `${node.id}/missing/${path}`, parent: node, path, change: 'missing' })),
      ];
    default:
      return [];
  }
}

// ---- The Marketplace tree's marks -----------------------------------------------------------------

/** How a template from the catalog stands in this workspace, for the Marketplace tree. */
export interface InstalledMark {
  state: InstalledState;
  updateAvailable: boolean;
  /** Folders it is installed in. */
  folders: number;
}

/** The order in which a state matters when one template is installed in several folders. */
const URGENCY: readonly InstalledState[] = ['update-available', 'missing-files', 'locally-modified', 'not-in-catalog', 'up-to-date'];

/** ref → mark, over every folder: the most urgent state wins. */
export function installedMarks(folders: readonly FolderNode[]): Map<string, InstalledMark> {
  const marks = new Map<string, InstalledMark>();
  for (const folder of folders) {
    for (const t of folder.templates) {
      const previous = marks.get(t.ref);
      const state = previous && URGENCY.indexOf(previous.state) < URGENCY.indexOf(t.status.state) ? previous.state : t.status.state;
      marks.set(t.ref, {
        state,
        updateAvailable: (previous?.updateAvailable ?? false) || t.status.flags.updateAvailable,
        folders: (previous?.folders ?? 0) + 1,
      });
    }
  }
  return marks;
}

/** The word the Marketplace tree appends to an installed template's description. */
export function markText(mark: InstalledMark): string {
  return mark.updateAvailable ? l10n.t('update available') : l10n.t('installed');
}

// ---- Presentation ---------------------------------------------------------------------------------

export interface InstalledPresentation {
  label: string;
  description?: string;
  /** A codicon id; `color` a theme color id. */
  icon: { id: string; color?: string };
  contextValue: string;
  a11yLabel: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}

function countText(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** `2 files modified`, `1 file missing`, … for a status (empty when nothing drifted). */
function driftWords(status: InstalledStatus): string[] {
  const words: string[] = [];
  if (status.modified.length > 0) words.push(countText(status.modified.length, l10n.t('1 file modified'), l10n.t('{0} files modified', status.modified.length)));
  if (status.missing.length > 0) words.push(countText(status.missing.length, l10n.t('1 file missing'), l10n.t('{0} files missing', status.missing.length)));
  return words;
}

/** The state in words: `update available: 2.0.0`, `up to date`, … (short: a sidebar is narrow). */
export function stateText(status: InstalledStatus, marketplace?: { id: string; configured: boolean }): string {
  switch (status.state) {
    case 'update-available':
      return l10n.t('update available: {0}', cleanText(status.catalogVersion ?? '', 40));
    case 'not-in-catalog':
      return marketplace && !marketplace.configured ? l10n.t('marketplace "{0}" is not configured', cleanText(marketplace.id, 64)) : l10n.t('no longer in the catalog');
    case 'missing-files':
      return l10n.t('missing files');
    case 'locally-modified':
      return l10n.t('locally modified');
    case 'up-to-date':
      return l10n.t('up to date');
  }
}

const ICONS: Record<InstalledState, { id: string; color?: string }> = {
  'update-available': { id: 'arrow-circle-up', color: 'notificationsInfoIcon.foreground' },
  'not-in-catalog': { id: 'circle-slash', color: 'disabledForeground' },
  'missing-files': { id: 'warning', color: 'list.warningForeground' },
  'locally-modified': { id: 'edit', color: 'gitDecoration.modifiedResourceForeground' },
  'up-to-date': { id: 'pass' },
};

export function presentInstalled(node: InstalledNode, ctx: { multipleFolders: boolean }): InstalledPresentation {
  switch (node.kind) {
    case 'folder': {
      const count = node.templates.length;
      const updates = node.templates.filter((t) => t.status.flags.updateAvailable).length;
      const templates = countText(count, l10n.t('1 template'), l10n.t('{0} templates', count));
      const description = node.problem !== undefined ? l10n.t('record unreadable') : updates > 0 ? l10n.t('{0} · {1} with updates', templates, updates) : templates;
      return {
        label: node.label,
        description,
        icon: node.problem !== undefined ? { id: 'error', color: 'list.errorForeground' } : { id: 'folder' },
        contextValue: node.problem !== undefined ? 'installedFolder:problem' : updates > 0 ? 'installedFolder:canUpdate' : 'installedFolder',
        a11yLabel: l10n.t('{0}, folder, {1}', node.label, description),
        collapsible: ctx.multipleFolders ? 'collapsed' : 'expanded',
      };
    }
    case 'installed': {
      const { status } = node;
      const label = cleanText(node.name ?? node.entry.template.id, 100) || node.ref;
      const version = cleanText(status.installedVersion, 40);
      // "missing files" and "locally modified" are said by their counts; other states lead with their word.
      const drift = driftWords(status);
      const state = stateText(status, { id: node.entry.marketplace.id, configured: node.sourceConfigured });
      const words = status.state === 'missing-files' || status.state === 'locally-modified' ? drift : [state, ...drift];
      const description = words.length > 0 && status.state === 'update-available' ? words.join(' · ') : [version, ...words].join(' · ');
      const tokens = ['installed', status.state, status.flags.updateAvailable ? 'canUpdate' : undefined, status.modified.length + status.missing.length > 0 ? 'drift' : undefined];
      return {
        label,
        description,
        icon: ICONS[status.state],
        contextValue: tokens.filter(Boolean).join(':'),
        a11yLabel: [l10n.t('{0}, version {1}', label, version), state, ...drift].join(', '),
        collapsible: status.modified.length + status.missing.length > 0 ? 'collapsed' : 'none',
      };
    }
    case 'file':
      return {
        label: cleanText(node.path, 240),
        description: node.change === 'modified' ? l10n.t('modified') : l10n.t('missing'),
        icon: node.change === 'modified' ? { id: 'diff-modified', color: 'gitDecoration.modifiedResourceForeground' } : { id: 'diff-removed', color: 'gitDecoration.deletedResourceForeground' },
        contextValue: `installedFile:${node.change}`,
        a11yLabel: node.change === 'modified' ? l10n.t('{0}, modified since install', cleanText(node.path, 240)) : l10n.t('{0}, missing', cleanText(node.path, 240)),
        collapsible: 'none',
      };
    case 'message':
      return { label: cleanText(node.text, 300), icon: { id: 'error', color: 'list.errorForeground' }, contextValue: 'message:error', a11yLabel: cleanText(node.text, 300), collapsible: 'none' };
  }
}

/** `**Label:** value` lines joined with hard breaks; values escaped by the caller. */
function fields(rows: Array<[string, string | undefined]>): string {
  return rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([label, value]) => `**${escapeMarkdown(label)}:** ${value}`)
    .join('  \n');
}

/** The hover of a node, Markdown with every recorded or catalog string escaped (the record may be hostile). */
export function installedTooltip(node: InstalledNode, now: number): string | undefined {
  switch (node.kind) {
    case 'folder':
      return node.problem !== undefined ? `**${escapeMarkdown(node.label, 200)}**\n\n${escapeMarkdown(node.problem, 600)}` : escapeMarkdown(node.dir, 400);
    case 'installed': {
      const { entry, status } = node;
      const title = `**${escapeMarkdown(node.name ?? entry.template.id, 100)}** ${escapeMarkdown(status.installedVersion, 40)}`;
      const at = (iso: string) => {
        const t = Date.parse(iso);
        return Number.isNaN(t) ? escapeMarkdown(iso, 40) : escapeMarkdown(formatAgo(t, now));
      };
      const vars = Object.entries(entry.variables).slice(0, 12).map(([k, v]) => `${escapeMarkdown(k, 40)} = ${escapeMarkdown(v, 80)}`);
      const table = fields([
        [l10n.t('State'), escapeMarkdown(stateText(status, { id: entry.marketplace.id, configured: node.sourceConfigured }))],
        [l10n.t('Available'), status.catalogVersion !== undefined ? escapeMarkdown(status.catalogVersion, 40) : undefined],
        [l10n.t('Modified'), status.modified.length > 0 ? escapeMarkdown(status.modified.slice(0, 10).join(', '), 400) : undefined],
        [l10n.t('Missing'), status.missing.length > 0 ? escapeMarkdown(status.missing.slice(0, 10).join(', '), 400) : undefined],
        [l10n.t('Reference'), escapeMarkdown(node.ref, 200)],
        [l10n.t('Marketplace'), escapeMarkdown(entry.marketplace.url, 300)],
        [l10n.t('Installed'), at(entry.installedAt)],
        [l10n.t('Verified'), at(entry.verifiedAt)],
        [l10n.t('Files'), escapeMarkdown(String(entry.files.length))],
        [l10n.t('Answers'), vars.length > 0 ? vars.join(', ') + (Object.keys(entry.variables).length > vars.length ? ' …' : '') : undefined],
        [l10n.t('Republished'), status.flags.republished ? escapeMarkdown(l10n.t('the catalog lists this version with other bytes than were installed')) : undefined],
      ]);
      return `${title}\n\n${table}`;
    }
    case 'file':
      return escapeMarkdown(node.change === 'modified' ? l10n.t('{0} differs from what the template wrote', node.path) : l10n.t('{0} was deleted after the install', node.path), 400);
    case 'message':
      return escapeMarkdown(node.text, 1000);
  }
}
