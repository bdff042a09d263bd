import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceStatus } from '../../../src/core';
import type { VerificationState } from '../../../src/extension/state/verificationStore';
import { nodeIds, type CategoryNode, type MessageNode, type SourceNode, type TemplateNode } from '../../../src/extension/views/nodes';
import { categoryIcon, categoryLabel, present, sourceStateText, tooltipFor, type PresentContext } from '../../../src/extension/views/present';
import { HOSTILE, listed, markdownIt, status } from '../fixtures';

const NOW = Date.UTC(2026, 10, 10, 12);
const HOUR = 3_600_000;

function ctx(fields: Partial<PresentContext> = {}, verified: Record<string, VerificationState> = {}): PresentContext {
  return { now: NOW, locale: 'en', sourceCount: 1, verification: (ref) => verified[ref], ...fields };
}

function sourceNode(s: SourceStatus, fields: Partial<SourceNode> = {}): SourceNode {
  return { kind: 'source', id: nodeIds.source(s.id), sourceId: s.id, status: s, custom: s.id !== 'samples', shown: s.templates, ...fields };
}

function templateNode(ref: string, fields: Parameters<typeof listed>[1] = {}): TemplateNode {
  const template = listed(ref, fields);
  const source = sourceNode(status(template.source, { templates: 1 }));
  const category: CategoryNode = { kind: 'category', id: nodeIds.category(template.source, template.category), parent: source, name: template.category, count: 1 };
  return { kind: 'template', id: nodeIds.template(ref), parent: category, ref, template };
}

describe('categories', () => {
  it('maps a category to a codicon, purely', () => {
    assert.equal(categoryIcon('documentation'), 'book');
    assert.equal(categoryIcon('file'), 'file');
    assert.equal(categoryIcon('project'), 'project');
    assert.equal(categoryIcon('Project'), 'project');
    assert.equal(categoryIcon('design'), 'symbol-file');
  });

  it('names well-known categories and capitalises others', () => {
    assert.equal(categoryLabel('documentation'), 'Documentation');
    assert.equal(categoryLabel('file'), 'Files');
    assert.equal(categoryLabel('project'), 'Projects');
    assert.equal(categoryLabel('ci-cd'), 'Ci-cd');
    assert.equal(categoryLabel('\u202E'), 'Uncategorized');
  });
});

describe('template rows', () => {
  it('show name, version, category icon and an accessible name', () => {
    const p = present(templateNode('samples/adr', { name: 'Architecture Decision Record', version: '1.2.0' }), ctx());
    assert.equal(p.label, 'Architecture Decision Record');
    assert.equal(p.description, '1.2.0');
    assert.deepEqual(p.icon, { id: 'book' });
    assert.equal(p.contextValue, 'template');
    assert.equal(p.a11yLabel, 'Architecture Decision Record, version 1.2.0, Documentation');
    assert.equal(p.collapsible, 'none');
    assert.equal(p.highlights, undefined);
  });

  it('carry the verification state in context value, description and accessible name', () => {
    const verified = present(templateNode('samples/readme', { name: 'README', category: 'file' }), ctx({}, { 'samples/readme': { ok: true, at: NOW } }));
    assert.equal(verified.contextValue, 'template:verified');
    assert.equal(verified.description, '1.0.0 · verified');
    assert.equal(verified.a11yLabel, 'README, version 1.0.0, Files, verified');
    assert.deepEqual(verified.icon, { id: 'file' });

    const failed = present(templateNode('samples/readme', { name: 'README' }), ctx({}, { 'samples/readme': { ok: false, at: NOW, code: 'E_SIGNATURE', reason: 'bad' } }));
    assert.equal(failed.contextValue, 'template:failed');
    assert.equal(failed.a11yLabel, 'README, version 1.0.0, Documentation, verification failed');
    assert.equal(failed.icon.id, 'warning');
    assert.ok(failed.icon.color);
    // Menus match with /^template(:|$)/.
    for (const p of [verified, failed]) assert.match(p.contextValue, /^template(:|$)/);
  });

  it('highlight the words of a search filter', () => {
    const p = present(templateNode('samples/adr', { name: 'Architecture Decision Record' }), ctx({ query: 'decision' }));
    assert.deepEqual(p.highlights, [[13, 21]]);
  });

  it('clean hostile names and versions into one plain line', () => {
    const p = present(templateNode('evil/x', { name: 'Totally\u202Esafe\nname\u0000', version: '1.0.0\u2066-evil' }), ctx());
    assert.equal(p.label, 'Totally safe name');
    assert.equal(p.description, '1.0.0 -evil');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(p.a11yLabel, /[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('source rows', () => {
  it('a fresh source shows its template count and expands when it is the only one', () => {
    const p = present(sourceNode(status('samples', { name: 'Samples', templates: 20 })), ctx());
    assert.equal(p.label, 'Samples');
    assert.equal(p.description, '20 templates');
    assert.equal(p.contextValue, 'source:fresh');
    assert.equal(p.a11yLabel, 'Samples, marketplace, 20 templates');
    assert.equal(p.collapsible, 'expanded');
    assert.equal(present(sourceNode(status('samples', { templates: 20 })), ctx({ sourceCount: 2 })).collapsible, 'collapsed');
  });

  it('an offline source served from the cache says so with its age', () => {
    const s = status('acme', { name: 'Acme', state: 'offline', templates: 12, checkedAt: NOW - 3 * HOUR - 60_000, error: new Error('ECONNREFUSED') });
    const p = present(sourceNode(s), ctx({ sourceCount: 2 }));
    assert.equal(p.description, 'offline · cached 3 h ago');
    assert.equal(p.contextValue, 'source:custom:offline');
    assert.equal(p.a11yLabel, 'Acme, marketplace, 12 templates, offline, cached 3 h ago');
    assert.equal(p.icon.id, 'debug-disconnect');
    // Menus for user marketplaces match /^source:custom/.
    assert.match(p.contextValue, /^source:custom/);
  });

  it('stale, expired, error and empty states', () => {
    assert.equal(sourceStateText(status('a', { state: 'stale', templates: 3, checkedAt: NOW - 2 * HOUR }), NOW), 'stale · cached 2 h ago');
    assert.equal(sourceStateText(status('a', { state: 'offline', templates: 3, checkedAt: NOW - 50 * HOUR, expired: true }), NOW), 'offline · cached 2 d ago · expired');
    assert.equal(sourceStateText(status('a', { state: 'offline', templates: 3 }), NOW), 'offline · cached');
    assert.equal(sourceStateText(status('a', { state: 'error' }), NOW), 'error');
    assert.equal(sourceStateText(status('a', { state: 'empty' }), NOW), 'not loaded');
    assert.equal(sourceStateText(status('a'), NOW), undefined);
    const error = present(sourceNode(status('acme', { state: 'error' })), ctx());
    assert.equal(error.icon.id, 'error');
    assert.equal(error.contextValue, 'source:custom:error');
  });

  it('under a filter show how many templates match', () => {
    const p = present(sourceNode(status('samples', { name: 'Samples', templates: 20 }), { shown: 3, custom: false }), ctx({ filtered: true }));
    assert.equal(p.description, '3 of 20');
    assert.equal(p.a11yLabel, 'Samples, marketplace, 3 of 20 templates shown');
    assert.equal(p.contextValue, 'source:fresh');
  });
});

describe('category and message rows', () => {
  it('a category shows its count', () => {
    const source = sourceNode(status('samples', { templates: 17 }));
    const node: CategoryNode = { kind: 'category', id: nodeIds.category('samples', 'documentation'), parent: source, name: 'documentation', count: 17 };
    const p = present(node, ctx());
    assert.equal(p.label, 'Documentation');
    assert.equal(p.description, '17');
    assert.equal(p.contextValue, 'category');
    assert.equal(p.a11yLabel, 'Documentation, category, 17 templates');
    assert.equal(p.collapsible, 'collapsed');
  });

  it('a message is a leaf with its text as the accessible name', () => {
    const node: MessageNode = { kind: 'message', id: 'message/acme/problem', parent: undefined, text: 'Could not reach\nthe marketplace', severity: 'error' };
    const p = present(node, ctx());
    assert.equal(p.label, 'Could not reach the marketplace');
    assert.equal(p.a11yLabel, p.label);
    assert.equal(p.contextValue, 'message:error');
    assert.equal(p.collapsible, 'none');
  });
});

describe('tooltips', () => {
  const md = markdownIt();

  it('a template tooltip lists its details', () => {
    const node = templateNode('samples/adr', {
      name: 'Architecture Decision Record',
      description: 'A MADR-style record.',
      author: 'Template Marketplace',
      tags: ['adr', 'design'],
      downloads: 15086,
      size: 1989,
      updatedAt: '2026-11-01T00:00:00Z',
    });
    const text = tooltipFor(node, ctx({}, { 'samples/adr': { ok: true, at: NOW - 5 * 60_000 } }))!;
    const html = md.render(text);
    for (const expected of ['Architecture Decision Record', 'A MADR-style record.', 'Template Marketplace', 'adr, design', '15,086', 'Nov 1, 2026 (9 d ago)', '1.9 KB', '80fff1d9558ef39d…', 'samples/adr', 'Verified 5 min ago']) {
      assert.ok(html.includes(expected), `${expected} in ${html}`);
    }
    assert.ok(html.includes('<strong>Author:</strong>'));
  });

  it('a failed verification shows its reason; none says so', () => {
    const failed = tooltipFor(templateNode('s/x'), ctx({}, { 's/x': { ok: false, at: NOW - 2 * HOUR, code: 'E_SIGNATURE', reason: 'signature does not verify' } }))!;
    assert.match(md.render(failed), /Failed 2 h ago: signature does not verify/);
    assert.match(md.render(tooltipFor(templateNode('s/x'), ctx())!), /Not verified in this window/);
  });

  it('hostile catalog text renders inert: no links, images, HTML or command URIs', () => {
    const node = templateNode('evil/x', { name: HOSTILE, description: HOSTILE, author: HOSTILE, tags: [HOSTILE, '[t](command:x)'], version: '<b>1</b>', updatedAt: HOSTILE, publisher: '[k](command:y)' });
    const text = tooltipFor(node, ctx({}, { 'evil/x': { ok: false, at: NOW, code: 'E_X', reason: HOSTILE } }))!;
    const html = md.render(text);
    assert.doesNotMatch(html, /<a |<img|<script|<h1|<em>|<code>|<del>|<b>|href=/, html);
    // Only our own structure: paragraphs, our bold labels, line breaks.
    const tags = new Set([...html.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
    assert.deepEqual([...tags].sort(), ['br', 'p', 'strong']);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u202a-\u202e\u2066-\u2069]/);
  });

  it('a source tooltip shows address, state, version and the reason of a failure', () => {
    const s = status('acme', { name: 'Acme [x](command:evil)', state: 'error', templates: 4, version: 7, checkedAt: NOW - HOUR, expires: '2027-01-01T00:00:00Z', error: new Error('signature does not verify <img src=x>') });
    const html = md.render(tooltipFor(sourceNode(s), ctx())!);
    for (const expected of ['https://acme.example/', 'Refused the marketplace answer', '7', '1 h ago', 'Jan 1, 2027', 'signature does not verify &lt;img src=x&gt;']) {
      assert.ok(html.includes(expected), `${expected} in ${html}`);
    }
    assert.doesNotMatch(html, /<a |<img|href=/);
  });
});
