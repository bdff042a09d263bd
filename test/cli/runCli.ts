import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = resolve(__dirname, '../..');
// An absolute loader URL, so the CLI can run with any working folder.
const TSX = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(REPO, 'src/cli/main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `template-marketplace <args>` as a child process, the way a user does. */
export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, ...args],
      { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(err);
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** Starts a long-running command (serve); the caller must kill it. */
export function spawnCli(args: string[], opts: { cwd: string }): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}
