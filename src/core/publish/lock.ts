import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConflictError } from '../errors';

/**
 * One publisher at a time per marketplace folder: `<dir>/.publish.lock`, created with O_EXCL,
 * holding who owns it. Two `publish` runs on the same folder would otherwise both read catalog
 * version N and both write N+1, and one run's templates would be lost.
 *
 * A lock whose owner is gone is taken over: on this machine when its process no longer exists,
 * from another machine (a shared folder) when it is older than `staleMs`. Taking over happens
 * under a second, short-lived lock (`.publish.lock.break`) and only if the lock file still holds
 * the owner judged dead, so two waiters never both break it and then both hold it.
 */

export const LOCK_FILE = '.publish.lock';
const BREAK_FILE = '.publish.lock.break';

export interface LockOptions {
  /** How long to wait for another publisher before giving up. Default 60 s. */
  timeoutMs?: number;
  /** A lock from another machine older than this is taken over. Default 10 minutes. */
  staleMs?: number;
  /** Called once when the lock is held by someone else and this run starts waiting. */
  onWait?: (holder: LockHolder) => void;
}

export interface LockHolder {
  pid: number;
  host: string;
  /** Epoch ms when the lock was taken. */
  since: number;
}

interface LockContent extends LockHolder {
  nonce: string;
}

export interface HeldLock {
  /** Throws ConflictError if the lock was taken over since (so the caller must not commit). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_STALE_MS = 10 * 60_000;
/** A break lock older than this belongs to a process that died while breaking. */
const BREAK_STALE_MS = 30_000;
/** An unreadable lock file (being written right now) older than this is stale. */
const UNREADABLE_STALE_MS = 10_000;

export async function acquireLock(dir: string, opts: LockOptions = {}): Promise<HeldLock> {
  const path = join(dir, LOCK_FILE);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const mine: LockContent = { pid: process.pid, host: hostname(), since: Date.now(), nonce: randomBytes(12).toString('hex') };
  const deadline = Date.now() + timeoutMs;
  let pause = 10;
  let told = false;
  // Bounded by the deadline; every turn either acquires, breaks a dead lock, or sleeps.
  for (;;) {
    try {
      await writeFile(path, JSON.stringify(mine), { flag: 'wx' });
      return held(path, mine);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readLock(path);
    if (holder === 'gone') continue;
    if (await isStale(path, holder, staleMs)) {
      await breakLock(dir, path, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder === 'unreadable' ? 'another publish' : `another publish (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()})`;
      throw new ConflictError(
        `${who} holds ${path}; waited ${Math.round(timeoutMs / 1000)} s. Try again when it has finished, or delete the file if that process is gone.`,
        [path],
      );
    }
    if (!told && holder !== 'unreadable') {
      told = true;
      opts.onWait?.({ pid: holder.pid, host: holder.host, since: holder.since });
    }
    await delay(Math.min(pause, Math.max(1, deadline - Date.now())));
    pause = Math.min(pause * 2, 250);
  }
}

function held(path: string, mine: LockContent): HeldLock {
  const stillMine = async () => {
    const now = await readLock(path);
    return typeof now === 'object' && now.nonce === mine.nonce;
  };
  return {
    async assertHeld() {
      if (!(await stillMine())) {
        throw new ConflictError(`${path} was taken over by another publish while this one ran; nothing more was written. Publish again.`, [path]);
      }
    },
    async release() {
      if (await stillMine()) await rm(path, { force: true });
    },
  };
}

async function readLock(path: string): Promise<LockContent | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (Number.isSafeInteger(v.pid) && typeof v.host === 'string' && typeof v.nonce === 'string' && Number.isFinite(v.since)) {
      return { pid: v.pid!, host: v.host, since: v.since!, nonce: v.nonce };
    }
  } catch {
    // fall through
  }
  return 'unreadable';
}

async function isStale(path: string, holder: LockContent | 'unreadable', staleMs: number): Promise<boolean> {
  if (holder === 'unreadable') {
    // Being written this instant, or left half-written by a crash: only age tells.
    const age = await fileAge(path);
    return age !== undefined && age > UNREADABLE_STALE_MS;
  }
  if (holder.host === hostname()) return !processExists(holder.pid);
  return Date.now() - holder.since > staleMs;
}

/** Removes a dead owner's lock, under the break lock, only if it still holds that owner. */
async function breakLock(dir: string, path: string, dead: LockContent | 'unreadable'): Promise<void> {
  const breakPath = join(dir, BREAK_FILE);
  try {
    await writeFile(breakPath, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = await fileAge(breakPath);
    if (age !== undefined && age > BREAK_STALE_MS) await rm(breakPath, { force: true });
    await delay(10);
    return;
  }
  try {
    const now = await readLock(path);
    const same = dead === 'unreadable' ? now === 'unreadable' : typeof now === 'object' && now.nonce === dead.nonce;
    if (same) await rm(path, { force: true });
  } finally {
    await rm(breakPath, { force: true });
  }
}

async function fileAge(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
