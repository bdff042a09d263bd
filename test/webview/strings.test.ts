import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const DIR = resolve(__dirname, '..', '..', 'src', 'webview', 'dashboard');
const sources = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

describe('dashboard webview strings', () => {
  it('puts user-visible text through l10n.t, never as a bare literal', () => {
    const bare: string[] = [];
    for (const { file, text } of sources) {
      // `text: 'Words'` or `setText(el, 'Words')` or `, 'Words')` in h(): a literal with letters that is not an l10n.t argument.
      for (const m of text.matchAll(/(?:text:\s*|setText\([^,]+,\s*)'([^']*[A-Za-z]{2}[^']*)'/g)) bare.push(`${file}: ${m[1]}`);
      for (const m of text.matchAll(/h\('[a-z-]+',\s*\{[^}]*\},\s*'([^']*[A-Za-z]{2}[^']*)'\)/g)) bare.push(`${file}: ${m[1]}`);
    }
    assert.deepEqual(bare, []);
  });

  it('gives l10n.t literal messages only, so the extractor finds them', () => {
    const dynamic: string[] = [];
    for (const { file, text } of sources) {
      for (const m of text.matchAll(/l10n\.t\(\s*([^'\s)])/g)) dynamic.push(`${file}: l10n.t(${m[1]}…`);
    }
    assert.deepEqual(dynamic, []);
  });

  it('never writes markup: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    for (const { file, text } of sources) assert.doesNotMatch(text, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, file);
  });
});
