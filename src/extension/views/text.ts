/**
 * Pure text helpers for catalog text, which is third-party and hostile: it may carry control and
 * bidi characters (spoofing a label), Markdown (links, images, HTML, math) or `$(icon)` syntax.
 * No `vscode` here: unit-tested under node:test.
 */

// C0/C1 controls, zero-width and bidi formatting characters, line and paragraph separators.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]+/g;
const SPACES = /\s+/g;

/**
 * One clean line: control, bidi and zero-width characters become a space, whitespace runs collapse,
 * and the text is cut at `max` code points with an ellipsis.
 */
export function cleanText(text: unknown, max = 200): string {
  const raw = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  // Bound the work on absurd input before touching every character.
  const bounded = raw.length > max * 4 + 16 ? raw.slice(0, max * 4 + 16) : raw;
  const clean = bounded.replace(INVISIBLE, ' ').replace(SPACES, ' ').trim();
  const points = Array.from(clean);
  return points.length > max ? `${points.slice(0, Math.max(1, max - 1)).join('').trimEnd()}…` : clean;
}

/**
 * Clean text made inert for a `MarkdownString` (tree tooltips): every ASCII punctuation character is
 * backslash-escaped (CommonMark allows that for all of them), so no emphasis, link, image, autolink,
 * HTML, entity, table, heading, math or `$(icon)` can form. Rendered, the text reads as written.
 */
export function escapeMarkdown(text: unknown, max = 200): string {
  return cleanText(text, max).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * Clean text made inert for a Markdown document that people also read unrendered (the preview
 * summary): only the characters that can start a construct are escaped (emphasis, code, links and
 * images, HTML and entities, strikethrough, math), plus a block marker when the text starts a line
 * (`lineStart`), so prose stays
 * readable in the editor and renders as written in the Markdown preview.
 */
export function escapeMarkdownProse(text: unknown, max = 200, lineStart = false): string {
  const inline = cleanText(text, max).replace(/[\\`*_[\]<>&~$|]/g, '\\$&');
  return lineStart ? inline.replace(/^(\d{1,9})([.)])/, '$1\\$2').replace(/^([#>+\-=])/, '\\$1') : inline;
}

/**
 * Clean text for quick-pick labels and descriptions, which render `$(name)` as an icon: the
 * sequence is escaped the way VS Code's own `escapeIcons` does.
 */
export function escapeIcons(text: unknown, max = 200): string {
  return cleanText(text, max).replace(/\$\(/g, '\\$(');
}

/**
 * A CommonMark code span around `text` that no backtick inside can close: the fence is one backtick
 * longer than the longest run inside. Code spans render literally (no links, HTML or emphasis).
 */
export function codeSpan(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') || text.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Word starts of the query in `label` as [start, end) ranges, for `TreeItemLabel.highlights`. */
export function highlightRanges(label: string, query: string | undefined): [number, number][] {
  const words = (query ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (words.length === 0) return [];
  const lower = label.toLowerCase();
  // Only when lowercasing keeps every offset (true for nearly all labels) do the ranges line up.
  if (lower.length !== label.length) return [];
  const marks: [number, number][] = [];
  for (const word of words) {
    for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + 1)) {
      const before = at === 0 ? '' : lower[at - 1]!;
      if (before === '' || !/[\p{L}\p{N}]/u.test(before)) marks.push([at, at + word.length]);
    }
  }
  marks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const m of marks) {
    const last = merged[merged.length - 1];
    if (last && m[0] <= last[1]) last[1] = Math.max(last[1], m[1]);
    else merged.push([m[0], m[1]]);
  }
  return merged;
}
