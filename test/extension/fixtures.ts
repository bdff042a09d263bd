import { createRequire } from 'node:module';
import type { ListedTemplate, SourceStatus } from '../../src/core';

/** A catalog entry as the client lists it, with sensible defaults. */
export function listed(ref: string, fields: Partial<ListedTemplate> = {}): ListedTemplate {
  const [source, id] = ref.split('/') as [string, string];
  return {
    id,
    name: id,
    version: '1.0.0',
    description: `The ${id} template.`,
    category: 'documentation',
    tags: [],
    author: 'Template Marketplace',
    downloads: 0,
    updatedAt: '2026-11-01T00:00:00Z',
    size: 2048,
    sha256: '0'.repeat(64),
    path: `packages/${id}-1.0.0.zip`,
    publisher: '80fff1d9558ef39de8a4d9ce6d3e1d7efeb4324368178c96946c295e03b9a4b4',
    signature: 'sig',
    source,
    ref,
    ...fields,
  };
}

export function status(id: string, fields: Partial<SourceStatus> = {}): SourceStatus {
  return { id, name: id, url: `https://${id}.example/`, state: 'fresh', expired: false, templates: 0, ...fields };
}

/** Hostile catalog text: Markdown links, images, HTML, entities, math, icons, bidi and control characters. */
export const HOSTILE = [
  '[click](command:workbench.action.terminal.new)',
  '![x](https://tracker.example/p.png)',
  '<img src=x onerror=alert(1)>',
  '&#x202E;evil',
  '**bold** _em_ ~~gone~~ `code`',
  '$x^2$ $(alert) $(loading~spin)',
  '# heading',
  'https://evil.example/path www.evil.example a@b.example',
  'line1\nline2\r\n\tline3',
  'bidi\u202Eoverride\u2066isolate\u200Bzero\u0000nul\u001bESC\u0085nel',
].join(' ');

interface MarkdownIt {
  render(text: string): string;
}

/**
 * markdown-it (the engine of VS Code's Markdown preview), configured as permissively as it goes:
 * HTML and linkify on. It arrives with @vscode/vsce (a dev dependency).
 */
export function markdownIt(): MarkdownIt {
  const require = createRequire(__filename);
  const create = require('markdown-it') as (options: object) => MarkdownIt;
  return create({ html: true, linkify: true });
}
