// Bundles the extension, its lazily loaded engine, the CLI, the dashboard webview and the e2e suites that run inside VS Code.
// `--production` minifies; `--watch` rebuilds on change.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
  // `vscode` is provided by the extension host at run time.
  external: ['vscode'],
};

/** The e2e suites that run inside the extension host: one bundle per test/e2e/host/*.test.ts, plus the runner. */
function hostTestEntries() {
  const dir = 'test/e2e/host';
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

const builds = [
  // The extension stays small so that activation is cheap: right after activation it requires
  // ./display.js (views, status bar, settings parser) and ./engine.js in the background, and
  // ./commands.js (the command implementations) on the first command.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', './engine.js', './commands.js', './display.js'] },
  { ...common, entryPoints: ['src/extension/lazy/display.ts'], outfile: 'dist/display.js', external: ['vscode', './engine.js'] },
  { ...common, entryPoints: ['src/extension/lazy/commands.ts'], outfile: 'dist/commands.js', external: ['vscode', './engine.js', './display.js'] },
  { ...common, entryPoints: ['src/core/index.ts'], outfile: 'dist/engine.js' },
  {
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

// The dashboard webview: a browser bundle of its own (no Node, no vscode), JS and CSS files only.
// Its folder is emptied first so that no stale file (a source map of a development build) ships.
fs.rmSync('dist/webview', { recursive: true, force: true });
builds.push({
  entryPoints: { dashboard: 'src/webview/dashboard/main.ts' },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome120'],
  minify: production,
  sourcemap: production ? false : 'inline',
  sourcesContent: false,
  logLevel: 'info',
});

const hostTests = hostTestEntries();
if (hostTests.length > 0 && !production) {
  // Mocha is loaded from node_modules at run time (it reads its own files); tests live inside the
  // extension folder so that `require('vscode')` resolves to this extension.
  // Emptied first: a bundle of a deleted suite would otherwise still run.
  fs.rmSync('dist/test/e2e', { recursive: true, force: true });
  builds.push({ ...common, entryPoints: hostTests, outdir: 'dist/test/e2e', external: ['vscode', 'mocha'], logLevel: 'warning' });
}

async function main() {
  if (watch) {
    const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
