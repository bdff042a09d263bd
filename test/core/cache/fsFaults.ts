import { execFileSync } from 'node:child_process';
import { chmod, readdir, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve, sep } from 'node:path';

/**
 * Ways to make a folder full or read-only for a test. Real ones first: a small tmpfs or a
 * read-only bind mount (needs root and mount rights), or permissions (non-root). Failing those,
 * a seam: fs/promises functions patched to fail for paths below the folder, the way the kernel
 * would (ENOSPC after writing part of the data, EROFS before changing anything).
 */

export type FaultKind = 'tmpfs' | 'bind-ro' | 'chmod' | 'seam';

type Fn = (...args: unknown[]) => Promise<unknown>;
// The module object itself: the engine's modules call its properties at run time.
const fsp = createRequire(__filename)('node:fs/promises') as Record<string, Fn>;

function systemError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const message = code === 'ENOSPC' ? 'no space left on device' : code === 'EROFS' ? 'read-only file system' : 'permission denied';
  return Object.assign(new Error(`${code}: ${message}, ${syscall} '${path}'`), { code, syscall, path, errno: -28 });
}

/** Patches the mutating fs/promises calls for paths below `dir`; returns the undo. */
export function patchFs(dir: string, code: 'ENOSPC' | 'EROFS'): () => void {
  const root = resolve(dir) + sep;
  const below = (p: unknown) => typeof p === 'string' && resolve(p).startsWith(root);
  const originals = new Map<string, Fn>();
  const patch = (name: string, replacement: (original: Fn, ...args: unknown[]) => Promise<unknown>) => {
    const original = fsp[name]!;
    originals.set(name, original);
    fsp[name] = (...args: unknown[]) => replacement(original, ...args);
  };
  const writes = (flags: unknown) => /[wax+]/.test(String(flags ?? 'r'));
  patch('writeFile', async (original, path, data, opts) => {
    if (!below(path)) return original(path, data, opts);
    if (code === 'EROFS') throw systemError(code, 'open', String(path));
    // A full disk accepts the first blocks, then refuses: a partial file is left for the caller to clean.
    const bytes = typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array);
    await original(path, bytes.subarray(0, Math.floor(bytes.length / 2)), opts);
    throw systemError(code, 'write', String(path));
  });
  patch('open', async (original, path, flags, mode) => {
    if (!below(path) || !writes(flags)) return original(path, flags, mode);
    if (code === 'EROFS') throw systemError(code, 'open', String(path));
    // As with writeFile: the file is created and takes the first half of what is written, then the disk is full.
    const handle = (await original(path, flags, mode)) as FileHandle;
    return fillingUp(handle, () => systemError(code, 'write', String(path)));
  });
  for (const name of code === 'EROFS' ? ['rename', 'link', 'unlink', 'rm', 'rmdir', 'mkdir', 'utimes', 'copyFile'] : ['mkdir']) {
    patch(name, async (original, ...args) => {
      // mkdir of an existing folder answers EEXIST even on a read-only file system.
      if (name === 'mkdir' && below(args[0])) {
        const exists = await stat(String(args[0])).then(() => true, () => false);
        if (exists) return (args[1] as { recursive?: boolean } | undefined)?.recursive ? undefined : Promise.reject(Object.assign(new Error('EEXIST'), { code: 'EEXIST' }));
        if (code === 'ENOSPC') return original(...args);
      }
      if (args.some(below)) throw systemError(code, name, String(args.find(below)));
      return original(...args);
    });
  }
  return () => {
    for (const [name, original] of originals) fsp[name] = original;
  };
}

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function probeFails(dir: string, codes: string[]): Promise<boolean> {
  const probe = join(dir, `.probe-${process.pid}`);
  try {
    await writeFile(probe, 'x');
    await unlink(probe);
    return false;
  } catch (err) {
    return codes.includes((err as NodeJS.ErrnoException).code ?? '');
  }
}

/** Runs `fn` while `dir` cannot be written; says which mechanism was used. */
export async function withReadOnly<T>(dir: string, fn: (kind: FaultKind) => Promise<T>): Promise<T> {
  if (process.platform === 'linux' && process.getuid?.() === 0 && tryRun('mount', ['--bind', dir, dir])) {
    try {
      if (tryRun('mount', ['-o', 'remount,bind,ro', dir]) && (await probeFails(dir, ['EROFS']))) return await fn('bind-ro');
    } finally {
      tryRun('umount', [dir]);
    }
  }
  if (process.platform !== 'win32' && process.getuid?.() !== 0) {
    await chmodTree(dir, 0o555, 0o444);
    try {
      if (await probeFails(dir, ['EACCES', 'EPERM'])) return await fn('chmod');
    } finally {
      await chmodTree(dir, 0o755, 0o644);
    }
  }
  const undo = patchFs(dir, 'EROFS');
  try {
    return await fn('seam');
  } finally {
    undo();
  }
}

/**
 * Runs `fn` with `dir` on a nearly full file system: a tmpfs of `bytes` (root on Linux), else
 * the seam. `dir` must be empty; it is mounted over.
 */
export async function withFullDisk<T>(dir: string, bytes: number, fn: (kind: FaultKind) => Promise<T>): Promise<T> {
  if (process.platform === 'linux' && process.getuid?.() === 0 && tryRun('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir])) {
    try {
      return await fn('tmpfs');
    } finally {
      tryRun('umount', [dir]);
    }
  }
  const undo = patchFs(dir, 'ENOSPC');
  try {
    return await fn('seam');
  } finally {
    undo();
  }
}

async function chmodTree(dir: string, dirMode: number, fileMode: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chmodTree(path, dirMode, fileMode);
    else await chmod(path, fileMode);
  }
  await chmod(dir, dirMode);
}

/** A handle whose writes store half their bytes, then fail: a disk that fills up mid-write. */
function fillingUp(handle: FileHandle, full: () => Error): FileHandle {
  const half = async (chunks: readonly Uint8Array[], position?: number | null) => {
    const all = Buffer.concat(chunks);
    await handle.write(all.subarray(0, Math.floor(all.length / 2)), 0, undefined, position ?? undefined);
    throw full();
  };
  return new Proxy(handle, {
    get(target, name) {
      if (name === 'writev') return (buffers: Uint8Array[], position?: number | null) => half(buffers, position);
      if (name === 'write') return (data: Uint8Array | string, ..._rest: unknown[]) => half([typeof data === 'string' ? Buffer.from(data) : data]);
      if (name === 'writeFile') return (data: Uint8Array | string) => half([typeof data === 'string' ? Buffer.from(data) : data]);
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
