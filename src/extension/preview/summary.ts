import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import type { ListedTemplate, TemplateVariable } from '../../core';
import { l10n } from '../l10n';
import type { VerificationState } from '../state/verificationStore';
import { formatBytes, formatCount, formatDate, shortKey } from '../views/format';
import { categoryLabel, verificationText } from '../views/present';
import { cleanText, codeSpan, escapeMarkdownProse } from '../views/text';

/**
 * The preview summary, pure: a Markdown document that reads well unrendered (it opens in a text
 * editor) and renders inertly (catalog and package text is escaped, paths and values are code
 * spans). It says what installing would write, before anything is written.
 */
export interface PreviewFile {
  /** Relative to the install target, "/"-separated: rendered, or as packaged when rendering failed. */
  readonly path: string;
  readonly size: number;
  readonly binary: boolean;
}

export interface PreviewVariable extends Pick<TemplateVariable, 'name' | 'prompt' | 'default' | 'pattern'> {
  /** The value used in this preview (the default, or a `{{name}}` placeholder). */
  readonly value?: string;
  /** No default: the preview shows `{{name}}` where the value goes. */
  readonly placeholder: boolean;
}

export interface PreviewSummaryInput {
  readonly template: Pick<ListedTemplate, 'ref' | 'name' | 'version' | 'description' | 'category' | 'author' | 'publisher' | 'tags' | 'size' | 'updatedAt' | 'downloads'>;
  readonly sourceName: string;
  /** The rendered target folder ("" = the workspace folder itself). */
  readonly folder: string;
  readonly variables: readonly PreviewVariable[];
  readonly files: readonly PreviewFile[];
  /** Why the files could not be rendered with the preview values (then `files` are as packaged). */
  readonly renderError?: string;
  readonly verification?: VerificationState;
  readonly now: number;
  readonly locale: string;
}

/** Where each file's path sits in the text, for document links (0-based line, [start, end) columns). */
export interface PreviewLink {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly file: string;
}

export interface PreviewSummary {
  readonly text: string;
  readonly links: readonly PreviewLink[];
}

/** Paths and values are shown in code spans: literal, but one clean line. */
function literal(text: string, max = 300): string {
  return cleanText(text, max);
}

export function buildPreviewSummary(input: PreviewSummaryInput): PreviewSummary {
  const t = input.template;
  const lines: string[] = [];
  const links: PreviewLink[] = [];
  const push = (...more: string[]) => lines.push(...more);

  push(`# ${escapeMarkdownProse(t.name, 100)} ${escapeMarkdownProse(t.version, 40)}`, '');
  if (t.description) push(escapeMarkdownProse(t.description, 1000, true), '');
  push(
    `> ${escapeMarkdownProse(l10n.t('Preview only: nothing has been written. This is what installing the template would create, with every variable at its default value.'), 400)}`,
    '',
  );

  const folder = input.folder ? codeSpan(literal(input.folder)) : escapeMarkdownProse(l10n.t('the workspace folder itself'));
  const details: Array<[string, string]> = [
    [l10n.t('Template'), codeSpan(literal(t.ref))],
    [l10n.t('Marketplace'), escapeMarkdownProse(input.sourceName, 100)],
    [l10n.t('Category'), escapeMarkdownProse(categoryLabel(t.category))],
    [l10n.t('Author'), escapeMarkdownProse(t.author, 100)],
    [l10n.t('Tags'), t.tags.length > 0 ? t.tags.slice(0, 30).map((tag) => escapeMarkdownProse(tag, 40)).join(', ') : escapeMarkdownProse(l10n.t('none'))],
    [l10n.t('Downloads'), escapeMarkdownProse(formatCount(t.downloads, input.locale))],
    [l10n.t('Last updated'), escapeMarkdownProse(formatDate(t.updatedAt, input.locale))],
    [l10n.t('Package size'), escapeMarkdownProse(formatBytes(t.size, input.locale))],
    [l10n.t('Publisher key'), codeSpan(shortKey(t.publisher))],
    [l10n.t('Verification'), escapeMarkdownProse(verificationText(input.verification, input.now), 400)],
    [l10n.t('Target folder'), input.folder ? `${folder} ${escapeMarkdownProse(l10n.t('(inside the workspace folder you install into)'))}` : folder],
  ];
  for (const [label, value] of details) push(`- **${escapeMarkdownProse(label)}:** ${value}`);
  push('');

  push(`## ${escapeMarkdownProse(l10n.t('Variables'))}`, '');
  if (input.variables.length === 0) {
    push(escapeMarkdownProse(l10n.t('This template asks for nothing.'), 200, true), '');
  } else {
    push(escapeMarkdownProse(l10n.t('Installing asks for each of these; the preview uses the value shown.'), 200, true), '');
    for (const v of input.variables) {
      const parts = [`- ${codeSpan(literal(v.name, 100))}: ${escapeMarkdownProse(v.prompt, 200)}`];
      if (v.placeholder) parts.push(escapeMarkdownProse(l10n.t('no default, shown as {0}', `{{${v.name}}}`)));
      else if (v.value === '') parts.push(escapeMarkdownProse(l10n.t('default: empty')));
      else if (v.value !== undefined) parts.push(`${escapeMarkdownProse(l10n.t('default:'))} ${codeSpan(literal(v.value, 200))}`);
      if (v.pattern !== undefined) parts.push(`${escapeMarkdownProse(l10n.t('must match'))} ${codeSpan(literal(v.pattern, 200))}`);
      push(parts.join(' · '));
    }
    push('');
  }

  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const total = files.reduce((n, f) => n + f.size, 0);
  push(`## ${escapeMarkdownProse(files.length === 1 ? l10n.t('1 file, {0}', formatBytes(total, input.locale)) : l10n.t('{0} files, {1}', files.length, formatBytes(total, input.locale)))}`, '');
  if (input.renderError) {
    push(`> ${escapeMarkdownProse(l10n.t('The files could not be rendered with the preview values: {0}. They are listed and shown as packaged.', cleanText(input.renderError, 300)), 600)}`, '');
  }
  if (files.length > 0) {
    push(escapeMarkdownProse(l10n.t('Ctrl+Click (Cmd+Click on macOS) a path to open the file, read-only.'), 200, true), '');
    for (const f of files) {
      const path = literal(f.path, 300);
      const span = codeSpan(path);
      const prefix = '- ';
      const fence = (span.length - path.length) / 2; // fence and padding are the same on both sides
      links.push({ line: lines.length, start: prefix.length + fence, end: prefix.length + fence + path.length, file: f.path });
      const notes = [formatBytes(f.size, input.locale), ...(f.binary ? [l10n.t('binary')] : [])].map((n) => escapeMarkdownProse(n)).join(' · ');
      push(`${prefix}${span} · ${notes}`);
    }
    push('');
  }
  return { text: lines.join('\n'), links };
}

/** A NUL byte or invalid UTF-8 in the first 8 KB: the file is not shown as text. */
export function isBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  try {
    // A multi-byte character cut at the 8 KB boundary is not a reason to call the file binary.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: head.length < bytes.length });
    return false;
  } catch {
    return true;
  }
}

/** The text a rendered file's read-only document shows. */
export function previewFileText(path: string, bytes: Uint8Array, locale: string): string {
  if (isBinary(bytes)) {
    return l10n.t('{0} is a binary file ({1}); it is not shown here. Installing writes it unchanged.', cleanText(path, 300), formatBytes(bytes.length, locale));
  }
  return new TextDecoder('utf-8').decode(bytes);
}
