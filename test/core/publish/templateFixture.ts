import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TemplateManifest } from '../../../src/core/format';

/** A small valid template: a README using a variable, and a GitHub workflow using `${{ … }}`. */
export function sampleManifest(overrides: Partial<TemplateManifest> = {}): TemplateManifest {
  return {
    id: 'acme.readme',
    name: 'Acme README',
    version: '1.0.0',
    description: 'A README for Acme projects.',
    category: 'documentation',
    tags: ['readme', 'markdown'],
    author: 'Acme',
    targetFolder: '.',
    variables: [{ name: 'projectName', prompt: 'Project name', default: 'demo', pattern: '[a-z][a-z0-9-]*' }],
    ...overrides,
  };
}

export const SAMPLE_FILES: Readonly<Record<string, string>> = {
  'README.md': '# {{projectName}}\n\nWelcome to {{ projectName }}.\n',
  '.github/workflows/ci.yml': 'steps:\n  - run: echo ${{ github.token }} ${{ secrets }}\n',
  'docs/{{projectName}}.md': 'Docs for {{projectName}}.\n',
};

/**
 * Writes a template source folder: `template.json` (a manifest object, or raw text for malformed
 * ones) and `files/**`.
 */
export async function writeTemplateDir(
  dir: string,
  manifest: TemplateManifest | Record<string, unknown> | string = sampleManifest(),
  files: Readonly<Record<string, string | Uint8Array>> = SAMPLE_FILES,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'template.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, 'files', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}
