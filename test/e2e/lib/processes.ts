import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/**
 * Every process the e2e run starts is a process-group leader (detached), so stopping it kills its
 * children too: code-server leaves a file watcher and extension hosts behind if only its PID dies.
 * `stopAll` runs on success, failure, the run's own timeout and Ctrl-C.
 */
const groups = new Set<ChildProcess>();

export function startGroup(command: string, args: string[], opts: SpawnOptions & { logFile: string }): ChildProcess {
  const child = spawn(command, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  groups.add(child);
  child.once('exit', () => groups.delete(child));
  return child;
}

export async function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    groups.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child.pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') signalGroup(child.pid, 'SIGKILL');
  // Children of the group may outlive the leader: make sure the whole group is gone.
  signalGroup(child.pid, 'SIGKILL');
  groups.delete(child);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...groups].map((g) => stopGroup(g)));
}

/** Synchronous last resort for `process.on('exit')`. */
export function killAllNow(): void {
  for (const g of groups) if (g.pid !== undefined) signalGroup(g.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command to completion (inheriting the terminal), rejecting on a non-zero exit. */
export function run(command: string, args: string[], opts: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...opts });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`)),
    );
  });
}

/** Runs a command and returns its stdout. */
export function capture(command: string, args: string[], opts: SpawnOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
