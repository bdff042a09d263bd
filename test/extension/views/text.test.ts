import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanText, codeSpan, escapeIcons, escapeMarkdown, escapeMarkdownProse, highlightRanges } from '../../../src/extension/views/text';
import { HOSTILE, markdownIt } from '../fixtures';

const md = markdownIt();

/** What a renderer makes of `markdown`, reduced to its text and a list of the tags it produced. */
function rendered(markdown: string): { html: string; tags: string[] } {
  const html = md.render(markdown);
  return { html, tags: [...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]!) };
}

describe('cleanText', () => {
  it('turns control, bidi and zero-width characters into single spaces', () => {
    assert.equal(cleanText('a\u202Eb\u2066c\u200Bd\u0000e\u001bf\u0085g\u2028h\tj\n\nk'), 'a b c d e f g h j k');
    assert.equal(cleanText('  padded  '), 'padded');
  });

  it('cuts long text at a code point with an ellipsis', () => {
    assert.equal(cleanText('abcdefghij', 5), 'abcd…');
    assert.equal(cleanText('😀😀😀😀😀😀', 3), '😀😀…');
    assert.equal(cleanText('x'.repeat(1_000_000), 10).length, 10);
  });

  it('accepts anything', () => {
    assert.equal(cleanText(undefined), '');
    assert.equal(cleanText(null), '');
    assert.equal(cleanText(42), '42');
  });
});

describe('escapeMarkdown (tooltips)', () => {
  it('renders hostile catalog text as one inert paragraph of the same text', () => {
    const escaped = escapeMarkdown(HOSTILE, 2000);
    const { html, tags } = rendered(escaped);
    assert.deepEqual(tags, ['p']);
    assert.doesNotMatch(html, /href=|<img|<a |<em|<strong|<code|<h1|<del/);
    // Nothing was lost: the paragraph's text is the cleaned original (entities decoded once).
    const text = html.replace(/<\/?p>\n?/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    assert.equal(text, cleanText(HOSTILE, 2000));
  });

  it('escapes every ASCII punctuation character', () => {
    assert.equal(escapeMarkdown('a.b'), 'a\\.b');
    assert.equal(escapeMarkdown('$(alert)'), '\\$\\(alert\\)');
    assert.equal(escapeMarkdown('plain words'), 'plain words');
  });
});

describe('escapeMarkdownProse (preview summary)', () => {
  it('stays readable: only characters that start a construct are escaped', () => {
    assert.equal(escapeMarkdownProse('A MADR-style record in docs/adr: context, options (with trade-offs).'), 'A MADR-style record in docs/adr: context, options (with trade-offs).');
    assert.equal(escapeMarkdownProse('*a* [b](c) <d> &e ~f $g |h `i` \\j'), '\\*a\\* \\[b\\](c) \\<d\\> \\&e \\~f \\$g \\|h \\`i\\` \\\\j');
  });

  it('escapes block markers when the text starts a line', () => {
    assert.equal(escapeMarkdownProse('1.0.0'), '1.0.0');
    assert.equal(escapeMarkdownProse('# title', 200, true), '\\# title');
    assert.equal(escapeMarkdownProse('> quote', 200, true), '\\> quote');
    assert.equal(escapeMarkdownProse('- item', 200, true), '\\- item');
    assert.equal(escapeMarkdownProse('1. first', 200, true), '1\\. first');
    assert.equal(escapeMarkdownProse('====', 200, true), '\\====');
  });

  it('renders hostile text as inert text in Markdown preview', () => {
    for (const text of [HOSTILE, '# heading', '1. list', '> quote', '- item', '<script>alert(1)</script>', '[x]: https://evil.example']) {
      const { html, tags } = rendered(`${escapeMarkdownProse(text, 2000, true)}\n`);
      assert.deepEqual(
        tags.filter((t) => t !== 'a'),
        ['p'],
        `${text} → ${html}`,
      );
      // linkify may still turn a bare https URL into a plain link; never an image, HTML or a command.
      assert.doesNotMatch(html, /<img|<script|href="(?!https:)/, html);
    }
  });
});

describe('escapeIcons (quick picks)', () => {
  it('keeps $(name) from rendering as an icon', () => {
    assert.equal(escapeIcons('$(alert) name $(sync~spin)'), '\\$(alert) name \\$(sync~spin)');
    assert.equal(escapeIcons('costs $5 (approx)'), 'costs $5 (approx)');
  });
});

describe('codeSpan', () => {
  it('is a literal span whatever the backticks inside', () => {
    for (const text of ['docs/adr/0001.md', 'a`b', '``x``', '`start', 'end`', '<img src=x>', '[a](b)']) {
      const html = md.render(codeSpan(text));
      const code = /<code>(.*)<\/code>/.exec(html)?.[1];
      assert.equal(code?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'), text, html);
    }
  });
});

describe('highlightRanges', () => {
  it('marks word starts of every query word, merged and ordered', () => {
    assert.deepEqual(highlightRanges('Architecture Decision Record', 'dec rec'), [
      [13, 16],
      [22, 25],
    ]);
    assert.deepEqual(highlightRanges('README', 'read'), [[0, 4]]);
    assert.deepEqual(highlightRanges('Changelog', 'log'), []);
    assert.deepEqual(highlightRanges('Changelog', undefined), []);
    assert.deepEqual(highlightRanges('Code of Conduct', 'co cod'), [
      [0, 3],
      [8, 10],
    ]);
  });
});
