import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPreviewSummary, isBinary, previewFileText, type PreviewSummaryInput } from '../../../src/extension/preview/summary';
import { HOSTILE, listed, markdownIt } from '../fixtures';

const NOW = Date.UTC(2026, 10, 10);
const md = markdownIt();

function input(fields: Partial<PreviewSummaryInput> = {}): PreviewSummaryInput {
  return {
    template: listed('samples/adr', { name: 'Architecture Decision Record', version: '1.0.0', description: 'A MADR-style record in docs/adr.', tags: ['adr', 'design'], downloads: 15086, size: 1989 }),
    sourceName: 'Template Marketplace Samples',
    folder: 'docs/adr',
    variables: [
      { name: 'title', prompt: 'Decision title', default: 'Use Markdown', value: 'Use Markdown', placeholder: false },
      { name: 'owner', prompt: 'Who decides', placeholder: true },
      { name: 'number', prompt: 'Number', default: '0001', value: '0001', pattern: '[0-9]{4}', placeholder: false },
      { name: 'note', prompt: 'A note', default: '', value: '', placeholder: false },
    ],
    files: [
      { path: 'docs/adr/0001-use-markdown.md', size: 1200, binary: false },
      { path: 'docs/adr/assets/diagram.png', size: 3000, binary: true },
    ],
    now: NOW,
    locale: 'en',
    ...fields,
  };
}

describe('buildPreviewSummary', () => {
  it('says what would be written, before anything is', () => {
    const { text } = buildPreviewSummary(input());
    const lines = text.split('\n');
    assert.equal(lines[0], '# Architecture Decision Record 1.0.0');
    assert.ok(lines.includes('A MADR-style record in docs/adr.'));
    assert.match(text, /^> Preview only: nothing has been written\./m);
    for (const expected of [
      '- **Template:** `samples/adr`',
      '- **Marketplace:** Template Marketplace Samples',
      '- **Category:** Documentation',
      '- **Tags:** adr, design',
      '- **Downloads:** 15,086',
      '- **Last updated:** Nov 1, 2026',
      '- **Package size:** 1.9 KB',
      '- **Publisher key:** `80fff1d9558ef39d…`',
      '- **Verification:** Not verified in this window',
      '- **Target folder:** `docs/adr` (inside the workspace folder you install into)',
      '## Variables',
      '- `title`: Decision title · default: `Use Markdown`',
      '- `owner`: Who decides · no default, shown as {{owner}}',
      '- `number`: Number · default: `0001` · must match `[0-9]{4}`',
      '- `note`: A note · default: empty',
      '## 2 files, 4.1 KB',
      '- `docs/adr/0001-use-markdown.md` · 1.2 KB',
      '- `docs/adr/assets/diagram.png` · 2.9 KB · binary',
    ]) {
      assert.ok(lines.includes(expected), `missing line ${JSON.stringify(expected)} in\n${text}`);
    }
  });

  it('links each file path where it stands in the text', () => {
    const { text, links } = buildPreviewSummary(input());
    const lines = text.split('\n');
    assert.equal(links.length, 2);
    for (const link of links) assert.equal(lines[link.line]!.slice(link.start, link.end), link.file);
    assert.deepEqual(
      links.map((l) => l.file),
      ['docs/adr/0001-use-markdown.md', 'docs/adr/assets/diagram.png'],
    );
  });

  it('keeps links on the real path even when the shown one is cleaned', () => {
    const { text, links } = buildPreviewSummary(input({ files: [{ path: 'a`b/`c.md', size: 1, binary: false }] }));
    const line = text.split('\n')[links[0]!.line]!;
    assert.equal(line.slice(links[0]!.start, links[0]!.end), 'a`b/`c.md');
    assert.match(md.render(line), /<code>a`b\/`c.md<\/code>/);
  });

  it('handles a template written into the workspace folder itself, with no variables and one file', () => {
    const { text } = buildPreviewSummary(input({ folder: '', variables: [], files: [{ path: '.editorconfig', size: 100, binary: false }] }));
    assert.match(text, /^- \*\*Target folder:\*\* the workspace folder itself$/m);
    assert.match(text, /^This template asks for nothing\.$/m);
    assert.match(text, /^## 1 file, 100 B$/m);
  });

  it('explains when the files could only be listed as packaged', () => {
    const { text } = buildPreviewSummary(input({ renderError: 'variable "owner": "{{owner}}" does not match' }));
    assert.match(text, /^> The files could not be rendered with the preview values: variable "owner": "\{\{owner\}\}" does not match\. They are listed and shown as packaged\.$/m);
  });

  it('shows the verification of this window', () => {
    const ok = buildPreviewSummary(input({ verification: { ok: true, at: NOW - 120_000 } })).text;
    assert.match(ok, /^- \*\*Verification:\*\* Verified 2 min ago$/m);
  });

  it('renders hostile template and package text inert in the Markdown preview', () => {
    const { text } = buildPreviewSummary(
      input({
        template: listed('evil/x', { name: HOSTILE, version: '<b>1</b>', description: `# ${HOSTILE}`, author: HOSTILE, tags: ['[t](command:x)'], category: '<img src=x>' }),
        sourceName: '![s](https://tracker.example/s.png)',
        folder: 'out/`x`<img src=y>',
        variables: [{ name: 'v', prompt: HOSTILE, default: '``<img src=z>``', value: '``<img src=z>``', pattern: '<script>', placeholder: false }],
        files: [{ path: '<img src=w>/[a](command:b).md', size: 1, binary: false }],
        renderError: HOSTILE,
      }),
    );
    const html = md.render(text);
    assert.doesNotMatch(html, /<img|<script|<b>|href="(?!https:\/\/)|<h2>[^<]*<a|<em>|<del>/, html);
    // Our headings only: the title, Variables, Files.
    assert.equal([...html.matchAll(/<h1>/g)].length, 1);
    assert.equal([...html.matchAll(/<h2>/g)].length, 2);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('file previews', () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);

  it('shows text as it would be written', () => {
    assert.equal(previewFileText('README.md', utf8('# Hello\nü\n'), 'en'), '# Hello\nü\n');
    assert.equal(isBinary(utf8('plain')), false);
  });

  it('does not show binary files', () => {
    assert.equal(isBinary(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1])), true);
    assert.equal(isBinary(new Uint8Array([0xff, 0xfe, 0x41])), true);
    assert.equal(previewFileText('logo.png', new Uint8Array(3000).fill(0), 'en'), 'logo.png is a binary file (2.9 KB); it is not shown here. Installing writes it unchanged.');
  });

  it('does not call a text file binary because a character straddles the sniffed prefix', () => {
    const text = 'a'.repeat(8191) + 'ü'.repeat(10);
    assert.equal(isBinary(utf8(text)), false);
  });
});
