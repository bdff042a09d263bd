import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..', '..');

describe('l10n/bundle.l10n.json', () => {
  it('holds exactly the strings the code passes to l10n.t (run `npm run l10n` after changing any)', () => {
    const out = mkdtempSync(join(tmpdir(), 'tm-l10n-'));
    try {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'vscode-l10n-dev'), ['export', '-o', out, join(ROOT, 'src', 'extension'), join(ROOT, 'src', 'webview')], { stdio: 'ignore' });
      const extracted = JSON.parse(readFileSync(join(out, 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
      const committed = JSON.parse(readFileSync(join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
      assert.deepEqual(Object.keys(committed).sort(), Object.keys(extracted).sort());
      assert.ok(Object.keys(committed).length > 100, 'the pure modules are extracted too');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
