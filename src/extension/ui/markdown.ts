import * as vscode from 'vscode';

/**
 * Markdown for hovers that carry marketplace text: never trusted (no command links run) and no HTML,
 * whatever the text already escaped. `themeIcons` allows `$(codicon)` syntax.
 */
export function untrustedMarkdown(text: string, themeIcons = false): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text, themeIcons);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}
