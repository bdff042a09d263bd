import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Compares two folder trees byte for byte. Returns one line per difference, e.g.
 * `differs: catalog.json`, `missing: packages/x-1.0.0.zip` (in `expected` only), `extra: y` (in `actual` only).
 */
export async function compareDirs(expected: string, actual: string): Promise<string[]> {
  const [want, have] = await Promise.all([listFiles(expected), listFiles(actual)]);
  const differences: string[] = [];
  for (const path of [...new Set([...want, ...have])].sort()) {
    if (!have.includes(path)) differences.push(`missing: ${path}`);
    else if (!want.includes(path)) differences.push(`extra: ${path}`);
    else if (!(await readFile(join(expected, path))).equals(await readFile(join(actual, path)))) differences.push(`differs: ${path}`);
  }
  return differences;
}

/** Every file below `root` as a "/"-separated relative path, sorted; a missing folder has none. */
export async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && prefix === '') return [];
    throw err;
  });
  const files: string[] = [];
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(root, rel)));
    else files.push(rel);
  }
  return files.sort();
}
