// Shared by the SIGKILL tests: a child script bundled once, run many times, and the folder it
// leaves behind captured whole so that "old or new, never a mix" is one deepEqual.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const REPO_ROOT = resolve(__dirname, '../..');

/** Bundles `entry` into `outDir`: a bundled script starts in a fraction of tsx's time, and there are dozens of children to run. */
export function bundleChild(entry: string, outDir: string): string {
  const outfile = join(outDir, basename(entry).replace(/\.ts$/, '.js'));
  buildSync({
    entryPoints: [entry],
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning', absWorkingDir: REPO_ROOT,
  });
  return outfile;
}

export interface ChildExit {
  signal: NodeJS.Signals | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runChild(script: string, args: string[]): Promise<ChildExit> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** Every file below `dir` with its content, and every folder (as "path/"); empty when `dir` is missing. */
export async function snapshotTree(dir: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    if ((await lstat(path)).isDirectory()) {
      out.set(`${prefix}${name}/`, '');
      for (const [k, v] of await snapshotTree(path, `${prefix}${name}/`)) out.set(k, v);
    } else {
      out.set(`${prefix}${name}`, await readFile(path, 'utf8'));
    }
  }
  return out;
}
