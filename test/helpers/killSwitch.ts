// For the children of the SIGKILL tests: counts the fs/promises calls that change something
// (writeFile, open for writing, mkdir, rename, link, unlink, rm, rmdir, copyFile) and kills the
// process right before call number `killAt` (0: never). With `torn`, a writeFile at that point
// writes half its data first, like a crash in the middle of a write.
import { createRequire, syncBuiltinESMExports } from 'node:module';

export interface KillSwitch {
  /** Calls counted so far, by name, in order. */
  readonly names: readonly string[];
  /** Only calls made while counting is on count (default on). */
  counting: boolean;
}

type Fn = (...args: unknown[]) => Promise<unknown>;
const MUTATING = ['writeFile', 'open', 'mkdir', 'rename', 'link', 'unlink', 'rm', 'rmdir', 'copyFile'];

export function armKillSwitch(killAt: number, torn: boolean): KillSwitch {
  const state = { names: [] as string[], counting: true };
  // The module object itself (not an import namespace, whose bindings are read-only).
  const mutable = createRequire(__filename)('node:fs/promises') as Record<string, Fn>;
  for (const name of MUTATING) {
    const original = mutable[name]!;
    mutable[name] = async (...args: unknown[]) => {
      if (!state.counting || (name === 'open' && !/[wax+]/.test(String(args[1] ?? 'r')))) return original(...args);
      state.names.push(name);
      if (state.names.length === killAt) {
        if (torn && name === 'writeFile' && args[1] instanceof Uint8Array) {
          const data = args[1];
          await original(args[0], data.subarray(0, Math.floor(data.length / 2)), args[2]);
        }
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      }
      return original(...args);
    };
  }
  syncBuiltinESMExports();
  return state;
}
