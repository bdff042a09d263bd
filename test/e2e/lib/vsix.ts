import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';

/** What the extension needs at run time: a .vsix without one of these cannot work. */
const REQUIRED = [
  'extension/package.json',
  'extension/package.nls.json',
  'extension/dist/extension.js',
  'extension/dist/engine.js',
  'extension/dist/commands.js',
  'extension/dist/display.js',
  'extension/dist/webview/dashboard.js',
  'extension/dist/webview/dashboard.css',
  'extension/media/templates.svg',
  'extension/media/icon.png',
  'extension/media/sample-marketplace/catalog.json',
  'extension/media/sample-marketplace/marketplace.pub.json',
  'extension/readme.md',
  'extension/LICENSE.txt',
];

/** What it must never ship: sources, tests, tools, dependencies (everything is bundled), maps. */
const FORBIDDEN: { pattern: RegExp; what: string }[] = [
  { pattern: /^extension\/src\//, what: 'sources' },
  { pattern: /^extension\/test\//, what: 'tests' },
  { pattern: /^extension\/dist\/test\//, what: 'bundled tests' },
  { pattern: /(^|\/)node_modules\//, what: 'node_modules' },
  { pattern: /^extension\/\.e2e\//, what: 'e2e tools' },
  { pattern: /^extension\/media\/sample-templates\//, what: 'sample sources' },
  { pattern: /\.ts$/, what: 'TypeScript' },
  { pattern: /\.map$/, what: 'source maps' },
  { pattern: /^extension\/\.(vscode|ci|git)/, what: 'repository metadata' },
  { pattern: /\.(key\.json|pem)$/, what: 'private keys' },
];

/** Lists the .vsix (a zip) and returns every problem found; an empty list means it is right. */
export function checkVsix(file: string): { entries: string[]; problems: string[] } {
  const entries: string[] = [];
  // The filter sees every entry's name and returns false, so nothing is inflated.
  unzipSync(readFileSync(file), {
    filter: (f) => {
      entries.push(f.name);
      return false;
    },
  });
  const problems: string[] = [];
  for (const r of REQUIRED) if (!entries.includes(r)) problems.push(`missing ${r}`);
  for (const e of entries) {
    const hit = FORBIDDEN.find((f) => f.pattern.test(e));
    if (hit) problems.push(`ships ${hit.what}: ${e}`);
  }
  return { entries, problems };
}
