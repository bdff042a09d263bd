import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import type { ListedTemplate, SourceStatus } from '../../core';
import { l10n } from '../l10n';
import type { VerificationState } from '../state/verificationStore';
import { markText, type InstalledMark } from './installed/model';
import { formatAgo, formatBytes, formatCount, formatDate, shortKey } from './format';
import type { CategoryNode, MarketplaceNode, MessageNode, SourceNode, TemplateNode } from './nodes';
import { cleanText, escapeMarkdown, highlightRanges } from './text';

/**
 * Node → what the tree shows, pure (no `vscode`): the provider turns this into a `TreeItem`.
 * Every user-facing string goes through `l10n.t`; every catalog string through `cleanText` (labels,
 * descriptions) or `escapeMarkdown` (tooltips).
 */
export interface Presentation {
  label: string;
  /** Ranges of `label` to highlight (search-filter matches). */
  highlights?: [number, number][];
  description?: string;
  /** A codicon id; `color` a theme color id, only for states. */
  icon: { id: string; color?: string };
  contextValue: string;
  /** The screen-reader name, and what UI tests select rows by. */
  a11yLabel: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}

export interface PresentContext {
  /** Epoch ms, for ages. */
  now: number;
  /** BCP 47, for numbers and dates (`vscode.env.language`). */
  locale: string;
  /** More than one marketplace is configured: sources start collapsed. */
  sourceCount: number;
  /** The active search filter, for label highlights. */
  query?: string;
  /** Whether a filter is active (descriptions say "3 of 20"). */
  filtered?: boolean;
  verification(ref: string): VerificationState | undefined;
  /** How the template stands in the open workspace, when it is installed there. */
  installed?(ref: string): InstalledMark | undefined;
}

// ---- Categories ----------------------------------------------------------------------------------

/** The codicon of a category: a pure mapping, with a generic file icon for any other category. */
export function categoryIcon(category: string): string {
  switch (category.toLowerCase()) {
    case 'documentation':
    case 'docs':
      return 'book';
    case 'file':
    case 'files':
      return 'file';
    case 'project':
    case 'projects':
      return 'project';
    default:
      return 'symbol-file';
  }
}

/** The display name of a category: the well-known ones translated, others as the catalog writes them. */
export function categoryLabel(category: string): string {
  switch (category.toLowerCase()) {
    case 'documentation':
      return l10n.t('Documentation');
    case 'file':
      return l10n.t('Files');
    case 'project':
      return l10n.t('Projects');
    default: {
      const clean = cleanText(category, 60);
      return clean ? clean.charAt(0).toUpperCase() + clean.slice(1) : l10n.t('Uncategorized');
    }
  }
}

// ---- Nodes ---------------------------------------------------------------------------------------

export function present(node: MarketplaceNode, ctx: PresentContext): Presentation {
  switch (node.kind) {
    case 'source':
      return presentSource(node, ctx);
    case 'category':
      return presentCategory(node);
    case 'template':
      return presentTemplate(node, ctx);
    case 'message':
      return presentMessage(node);
  }
}

/** `offline · cached 3 h ago` and friends; undefined for a fresh source. */
export function sourceStateText(status: SourceStatus, now: number): string | undefined {
  const cached = status.checkedAt !== undefined ? l10n.t('cached {0}', formatAgo(status.checkedAt, now)) : status.templates > 0 ? l10n.t('cached') : undefined;
  const parts: string[] = [];
  switch (status.state) {
    case 'fresh':
      return undefined;
    case 'stale':
      parts.push(l10n.t('stale'));
      break;
    case 'offline':
      parts.push(l10n.t('offline'));
      break;
    case 'error':
      parts.push(l10n.t('error'));
      break;
    case 'empty':
      return l10n.t('not loaded');
  }
  if (cached) parts.push(cached);
  if (status.expired) parts.push(l10n.t('expired'));
  return parts.join(' · ');
}

function templatesText(count: number): string {
  return count === 1 ? l10n.t('1 template') : l10n.t('{0} templates', count);
}

export function presentSource(node: SourceNode, ctx: PresentContext): Presentation {
  const { status } = node;
  const name = cleanText(status.name, 80) || node.sourceId;
  const state = sourceStateText(status, ctx.now);
  const count = ctx.filtered ? l10n.t('{0} of {1}', node.shown, status.templates) : status.state === 'fresh' || status.templates > 0 ? templatesText(status.templates) : undefined;
  const description = ctx.filtered ? [count, state].filter(Boolean).join(' · ') : (state ?? count);
  const icon =
    status.state === 'error'
      ? { id: 'error', color: 'list.errorForeground' }
      : status.state === 'offline'
        ? { id: 'debug-disconnect', color: 'list.warningForeground' }
        : { id: 'library' };
  const flags = ['source', node.custom ? 'custom' : undefined, status.state].filter(Boolean);
  const a11y = [l10n.t('{0}, marketplace', name), ctx.filtered ? l10n.t('{0} of {1} templates shown', node.shown, status.templates) : templatesText(status.templates), state]
    .filter(Boolean)
    .join(', ');
  return {
    label: name,
    ...(description ? { description } : {}),
    icon,
    contextValue: flags.join(':'),
    a11yLabel: a11y.replace(/ · /g, ', '),
    collapsible: ctx.sourceCount <= 1 ? 'expanded' : 'collapsed',
  };
}

export function presentCategory(node: CategoryNode): Presentation {
  const label = categoryLabel(node.name);
  return {
    label,
    description: String(node.count),
    icon: { id: 'folder-library' },
    contextValue: 'category',
    a11yLabel: l10n.t('{0}, category, {1}', label, templatesText(node.count)),
    collapsible: 'collapsed',
  };
}

export function presentTemplate(node: TemplateNode, ctx: PresentContext): Presentation {
  const t = node.template;
  const label = cleanText(t.name, 100) || cleanText(t.id, 100);
  const version = cleanText(t.version, 40);
  const verification = ctx.verification(node.ref);
  const category = categoryLabel(t.category);
  const stateWord = verification === undefined ? undefined : verification.ok ? l10n.t('verified') : l10n.t('verification failed');
  const mark = ctx.installed?.(node.ref);
  const installedWord = mark ? markText(mark) : undefined;
  const highlights = highlightRanges(label, ctx.query);
  const verificationToken = verification === undefined ? undefined : verification.ok ? 'verified' : 'failed';
  // Compound tokens (`template:verified:installed:canUpdate`): menus match `^template(:|$)` and `:canUpdate`.
  const tokens = ['template', verificationToken, mark ? 'installed' : undefined, mark?.updateAvailable ? 'canUpdate' : undefined];
  return {
    label,
    ...(highlights.length > 0 ? { highlights } : {}),
    description: [version, installedWord, stateWord].filter(Boolean).join(' · '),
    icon: verification && !verification.ok ? { id: 'warning', color: 'list.errorForeground' } : { id: categoryIcon(t.category) },
    contextValue: tokens.filter(Boolean).join(':'),
    a11yLabel: [l10n.t('{0}, version {1}, {2}', label, version, category), installedWord, stateWord].filter(Boolean).join(', '),
    collapsible: 'none',
  };
}

export function presentMessage(node: MessageNode): Presentation {
  const text = cleanText(node.text, 300);
  return {
    label: text,
    icon: node.severity === 'error' ? { id: 'error', color: 'list.errorForeground' } : node.severity === 'warning' ? { id: 'warning', color: 'list.warningForeground' } : { id: 'info' },
    contextValue: `message:${node.severity}`,
    a11yLabel: text,
    collapsible: 'none',
  };
}

// ---- Tooltips (Markdown text; built lazily in resolveTreeItem) ------------------------------------

/** `**Label:** value` lines joined with hard breaks. Labels are ours; values are escaped by callers. */
function fields(rows: Array<[string, string | undefined]>): string {
  return rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([label, value]) => `**${escapeMarkdown(label)}:** ${value}`)
    .join('  \n');
}

export function verificationText(state: VerificationState | undefined, now: number): string {
  if (!state) return l10n.t('Not verified in this window');
  if (state.ok) return l10n.t('Verified {0}', formatAgo(state.at, now));
  return l10n.t('Failed {0}: {1}', formatAgo(state.at, now), cleanText(state.reason, 300));
}

function installedText(mark: InstalledMark | undefined): string | undefined {
  if (!mark) return undefined;
  const where = mark.folders === 1 ? l10n.t('in 1 folder') : l10n.t('in {0} folders', mark.folders);
  return escapeMarkdown(`${markText(mark)} ${where}`);
}

export function templateTooltip(t: ListedTemplate, ctx: PresentContext): string {
  const title = `**${escapeMarkdown(t.name, 100)}** ${escapeMarkdown(t.version, 40)}`;
  const description = t.description ? escapeMarkdown(t.description, 600) : undefined;
  const updated = Date.parse(t.updatedAt);
  const updatedText = Number.isNaN(updated) ? escapeMarkdown(t.updatedAt, 40) : escapeMarkdown(`${formatDate(t.updatedAt, ctx.locale)} (${formatAgo(updated, ctx.now)})`);
  const tags = t.tags.length > 0 ? t.tags.slice(0, 20).map((tag) => escapeMarkdown(tag, 40)).join(', ') + (t.tags.length > 20 ? ' …' : '') : undefined;
  const table = fields([
    [l10n.t('Author'), escapeMarkdown(t.author, 100)],
    [l10n.t('Category'), escapeMarkdown(categoryLabel(t.category))],
    [l10n.t('Tags'), tags],
    [l10n.t('Downloads'), escapeMarkdown(formatCount(t.downloads, ctx.locale))],
    [l10n.t('Last updated'), updatedText],
    [l10n.t('Size'), escapeMarkdown(formatBytes(t.size, ctx.locale))],
    [l10n.t('Publisher key'), escapeMarkdown(shortKey(t.publisher))],
    [l10n.t('Reference'), escapeMarkdown(t.ref, 200)],
    [l10n.t('Verification'), escapeMarkdown(verificationText(ctx.verification(t.ref), ctx.now), 400)],
    [l10n.t('In this workspace'), installedText(ctx.installed?.(t.ref))],
  ]);
  return [title, description, table].filter(Boolean).join('\n\n');
}

export function sourceTooltip(status: SourceStatus, ctx: PresentContext): string {
  const title = `**${escapeMarkdown(status.name, 80)}**`;
  const stateText: Record<SourceStatus['state'], string> = {
    fresh: l10n.t('Up to date'),
    stale: l10n.t('Stale: shown from the cache while it is checked again'),
    offline: l10n.t('Offline: shown from the cache'),
    error: l10n.t('Refused the marketplace answer; the last good catalog is shown if there is one'),
    empty: l10n.t('Not loaded yet'),
  };
  const table = fields([
    [l10n.t('Address'), escapeMarkdown(status.url, 300)],
    [l10n.t('State'), escapeMarkdown(stateText[status.state])],
    [l10n.t('Templates'), escapeMarkdown(formatCount(status.templates, ctx.locale))],
    [l10n.t('Catalog version'), status.version !== undefined ? escapeMarkdown(String(status.version)) : undefined],
    [l10n.t('Last checked'), status.checkedAt !== undefined ? escapeMarkdown(formatAgo(status.checkedAt, ctx.now)) : undefined],
    [
      l10n.t('Expires'),
      status.expires !== undefined ? escapeMarkdown(status.expired ? l10n.t('{0} (expired)', formatDate(status.expires, ctx.locale)) : formatDate(status.expires, ctx.locale)) : undefined,
    ],
    [l10n.t('Reason'), status.error ? escapeMarkdown(status.error.message, 400) : undefined],
  ]);
  return [title, table].join('\n\n');
}

/** The tooltip Markdown of a node, if it has one (messages show their full text). */
export function tooltipFor(node: MarketplaceNode, ctx: PresentContext): string | undefined {
  switch (node.kind) {
    case 'template':
      return templateTooltip(node.template, ctx);
    case 'source':
      return sourceTooltip(node.status, ctx);
    case 'category':
      return escapeMarkdown(l10n.t('{0}: {1}', categoryLabel(node.name), templatesText(node.count)));
    case 'message':
      return escapeMarkdown(node.text, 1000);
  }
}
