import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { build, type Metafile } from 'esbuild';

/**
 * Activation requires dist/extension.js and nothing else: the display code (dist/display.js), the
 * command implementations (dist/commands.js) and the engine (dist/engine.js) load later. A static
 * import of one of their modules from anything activation loads would silently put it back into
 * extension.js (and its compile time back into activation), so the bundles are built here as
 * esbuild.js builds them and their inputs compared.
 */
const ROOT = resolve(__dirname, '..', '..');
const LAZY = ['./engine.js', './commands.js', './display.js'];

async function inputsOf(entry: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [resolve(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
    outfile: resolve(ROOT, 'dist', 'bundle-check.js'),
    external: ['vscode', ...LAZY.filter((lazy) => !entry.endsWith(lazy.replace('./', '/').replace('.js', '.ts')))],
  });
  return result.metafile;
}

/** The modules an entry imports at run time, but for the l10n translator every bundle has its own copy of. */
function runtimeImportsOf(meta: Metafile, entry: string): string[] {
  return meta.inputs[entry]!.imports.filter((i) => !i.external).map((i) => i.path).filter((p) => p !== 'src/extension/l10n.ts');
}

describe('the bundles activation loads', () => {
  it('keep the display code, the commands and the engine out of dist/extension.js', async () => {
    const extension = Object.keys((await inputsOf('src/extension/extension.ts')).inputs);
    const display = runtimeImportsOf(await inputsOf('src/extension/lazy/display.ts'), 'src/extension/lazy/display.ts');
    const commands = runtimeImportsOf(await inputsOf('src/extension/lazy/commands.ts'), 'src/extension/lazy/commands.ts');
    // What each lazy entry is for: if these move, this test must follow them.
    assert.ok(display.includes('src/extension/views/present.ts') && display.includes('src/extension/config/settings.ts'), display.join(', '));
    assert.ok(commands.includes('src/extension/commands/table.ts') && commands.includes('src/extension/dashboard/panel.ts'), commands.join(', '));
    for (const lazy of [...display, ...commands]) assert.ok(!extension.includes(lazy), `dist/extension.js includes ${lazy}, which is meant to load lazily`);
    assert.ok(!extension.some((input) => input.startsWith('src/core/')), 'dist/extension.js includes engine code');
  });
});
