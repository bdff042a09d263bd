import type { Worker } from 'node:worker_threads';

/** One signature check: a 32-byte Ed25519 public key, the signed message (a 32-byte digest) and a 64-byte signature. */
export interface SignatureCheck {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** What a worker answers per check: the signature verifies, it does not, or node:crypto threw (re-checked inline for its message). */
export const VERDICT = { invalid: 0, valid: 1, threw: 2 } as const;

const KEY = 32;
const MESSAGE = 32;
const SIGNATURE = 64;
const RECORD = KEY + MESSAGE + SIGNATURE;
/** A job's shared memory starts with two Int32 counters: the next check to claim and the checks finished. */
const HEADER = 8;

/**
 * The worker: plain CommonJS over node:crypto only, passed as a string (`eval: true`), so the
 * engine stays one file that esbuild bundles as is. It answers exactly as NativeEd25519.verify
 * would: a key OpenSSL refuses verifies nothing; a throwing verify is reported, not guessed.
 * Key objects are kept (a marketplace has few publishers), up to 256.
 *
 * Every worker gets every job and claims its checks one at a time from the job's shared counter,
 * so the workers finish a job together whatever each check costs; the worker that finishes the
 * last check says so. A verdict is stored plus one: 0 is "not checked yet".
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
function keyObject(raw) {
  const hex = raw.toString('hex');
  let key = keys.get(hex);
  if (key === undefined) {
    try { key = createPublicKey({ key: Buffer.concat([PREFIX, raw]), format: 'der', type: 'spki' }); } catch { key = null; }
    if (keys.size >= 256) keys.clear();
    keys.set(hex, key);
  }
  return key;
}
parentPort.on('message', ({ job, memory, count }) => {
  const state = new Int32Array(memory, 0, 2);
  const verdicts = new Uint8Array(memory, ${HEADER}, count);
  const records = Buffer.from(memory, ${HEADER} + count, count * ${RECORD});
  for (let i = Atomics.add(state, 0, 1); i < count; i = Atomics.add(state, 0, 1)) {
    const at = i * ${RECORD};
    const key = keyObject(records.subarray(at, at + ${KEY}));
    let verdict = 0;
    if (key !== null) {
      try {
        verdict = verify(null, records.subarray(at + ${KEY}, at + ${KEY + MESSAGE}), key, records.subarray(at + ${KEY + MESSAGE}, at + ${RECORD})) ? 1 : 0;
      } catch {
        verdict = 2;
      }
    }
    verdicts[i] = verdict + 1;
    if (Atomics.add(state, 1, 1) + 1 === count) parentPort.postMessage({ job });
  }
});
`;

interface Job {
  verdicts: Uint8Array;
  resolve(verdicts: Uint8Array): void;
  reject(err: Error): void;
}

export interface WorkerPoolOptions {
  /** Worker threads, started on first use. */
  size: number;
  /** The worker's code; tests pass one that crashes. */
  source?: string;
}

/**
 * Ed25519 verification on worker threads. A call is one job that every worker takes checks from
 * (above), so one call keeps every core busy to its end, and costs one message per worker and one
 * back. Workers start on the first call, are unref'd while idle (an idle pool never keeps a
 * process alive) and end with close(). A worker that dies fails the jobs in flight and breaks the
 * pool: every later call rejects at once, and the caller verifies inline instead.
 */
export class VerifyWorkerPool {
  readonly #size: number;
  readonly #source: string;
  readonly #workers: Worker[] = [];
  readonly #jobs = new Map<number, Job>();
  #nextJob = 0;
  #broken: Error | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(opts: WorkerPoolOptions) {
    this.#size = Math.max(1, Math.floor(opts.size));
    this.#source = opts.source ?? WORKER_SOURCE;
  }

  /** False once a worker died or the pool was closed: callers should verify inline. */
  get usable(): boolean {
    return this.#broken === undefined && !this.#closed;
  }

  /**
   * Verdicts in input order. The caller may send a large batch in a few calls, so that the first
   * one is checked while it still prepares the next. Rejects if the pool is broken or breaks meanwhile.
   */
  async verify(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    if (!this.usable) throw this.#broken ?? new Error('the verification worker pool is closed');
    if (checks.length === 0) return new Uint8Array(0);
    this.#start();
    const count = checks.length;
    const memory = new SharedArrayBuffer(HEADER + count + count * RECORD);
    pack(checks, new Uint8Array(memory, HEADER + count));
    const verdicts = new Uint8Array(memory, HEADER, count);
    const job = this.#nextJob++;
    const done = new Promise<Uint8Array>((resolve, reject) => this.#jobs.set(job, { verdicts, resolve, reject }));
    // Referenced while a job runs: a caller awaiting the verdicts must keep the process alive.
    for (const worker of this.#workers) {
      worker.ref();
      worker.postMessage({ job, memory, count });
    }
    return done;
  }

  /** Worker threads the pool runs (or will, once started). */
  get size(): number {
    return this.#size;
  }

  /** Ends every worker; checks in flight reject. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#fail(new Error('the verification worker pool was closed'));
      this.#closed = true;
      // Referenced again so that the process waits for the exits close() awaits.
      await Promise.allSettled(this.#workers.map((w) => (w.ref(), w.terminate())));
    })();
    return this.#closing;
  }

  #start(): void {
    if (this.#workers.length > 0) return;
    // Required here, not at the top: the engine's start-up should not load worker_threads for a pool it may never use.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    for (let i = 0; i < this.#size; i++) {
      const worker = new Worker(this.#source, { eval: true });
      worker.unref();
      worker.on('message', (msg: { job: number }) => this.#finished(msg.job));
      worker.on('error', (err) => this.#died(new Error(`a verification worker failed: ${err.message}`, { cause: err })));
      worker.on('exit', (code) => this.#died(new Error(`a verification worker exited (code ${code})`)));
      this.#workers.push(worker);
    }
  }

  #finished(id: number): void {
    const job = this.#jobs.get(id);
    if (job === undefined) return;
    this.#jobs.delete(id);
    if (this.#jobs.size === 0) for (const worker of this.#workers) worker.unref();
    // Stored plus one (0 is "not checked yet"); a worker that says it finished with a check left is broken.
    if (job.verdicts.includes(0)) return job.reject(new Error('a verification worker finished a job with checks left'));
    job.resolve(job.verdicts.map((v) => v - 1));
  }

  /** A worker died on its own: the pool is broken, and its other workers are of no more use. Exits during close() are close()'s doing. */
  #died(err: Error): void {
    if (this.#closing) return;
    this.#fail(err);
    void this.close();
  }

  /** Breaks the pool: whatever runs or waits rejects, and later calls too. */
  #fail(err: Error): void {
    this.#broken ??= err;
    for (const job of this.#jobs.values()) job.reject(err);
    this.#jobs.clear();
    for (const worker of this.#workers) worker.unref();
  }
}

/** The checks as fixed-size records in the job's shared memory. */
function pack(checks: readonly SignatureCheck[], out: Uint8Array): void {
  checks.forEach((c, i) => {
    const at = i * RECORD;
    out.set(c.publicKey, at);
    out.set(c.message, at + KEY);
    out.set(c.signature, at + KEY + MESSAGE);
  });
}
