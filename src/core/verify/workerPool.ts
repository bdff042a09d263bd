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

/**
 * The worker: plain CommonJS over node:crypto only, passed as a string (`eval: true`), so the
 * engine stays one file that esbuild bundles as is. It answers exactly as NativeEd25519.verify
 * would: a key OpenSSL refuses verifies nothing; a throwing verify is reported, not guessed.
 * Key objects are kept (a marketplace has few publishers), up to 256.
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
parentPort.on('message', ({ job, records }) => {
  const bytes = Buffer.from(records);
  const count = bytes.length / ${RECORD};
  const verdicts = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * ${RECORD};
    const key = keyObject(bytes.subarray(at, at + ${KEY}));
    if (key === null) continue;
    try {
      verdicts[i] = verify(null, bytes.subarray(at + ${KEY}, at + ${KEY + MESSAGE}), key, bytes.subarray(at + ${KEY + MESSAGE}, at + ${RECORD})) ? 1 : 0;
    } catch {
      verdicts[i] = 2;
    }
  }
  parentPort.postMessage({ job, verdicts }, [verdicts.buffer]);
});
`;

interface Job {
  records: ArrayBuffer;
  resolve(verdicts: Uint8Array): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** The job this worker is running, if any; a worker runs one at a time. */
  job: Job | undefined;
}

export interface WorkerPoolOptions {
  /** Worker threads, started on first use. */
  size: number;
  /** The worker's code; tests pass one that crashes. */
  source?: string;
}

/**
 * Ed25519 verification on worker threads, one chunk of checks per message. Workers start on the
 * first call, are unref'd while idle (an idle pool never keeps a process alive) and end with
 * close(). A worker that dies fails its chunk and breaks the pool: every later call rejects at
 * once, and the caller verifies inline instead.
 */
export class VerifyWorkerPool {
  readonly #size: number;
  readonly #source: string;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
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
   * Verdicts in input order, from one worker: the caller splits a batch into a few calls per
   * worker, so that a worker that finishes early takes more, and so that the first chunk is on its
   * way while the caller still prepares the next. Rejects if the pool is broken or breaks meanwhile.
   */
  async verify(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    if (!this.usable) throw this.#broken ?? new Error('the verification worker pool is closed');
    if (checks.length === 0) return new Uint8Array(0);
    this.#start();
    return this.#submit(pack(checks));
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
      await Promise.allSettled(this.#slots.map((s) => (s.worker.ref(), s.worker.terminate())));
    })();
    return this.#closing;
  }

  #start(): void {
    if (this.#slots.length > 0) return;
    // Required here, not at the top: the engine's start-up should not load worker_threads for a pool it may never use.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    for (let i = 0; i < this.#size; i++) {
      const slot: Slot = { worker: new Worker(this.#source, { eval: true }), job: undefined };
      slot.worker.unref();
      slot.worker.on('message', (msg: { verdicts: Uint8Array }) => this.#finished(slot, msg.verdicts));
      slot.worker.on('error', (err) => this.#died(new Error(`a verification worker failed: ${err.message}`, { cause: err })));
      slot.worker.on('exit', (code) => this.#died(new Error(`a verification worker exited (code ${code})`)));
      this.#slots.push(slot);
    }
  }

  #submit(records: ArrayBuffer): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (!this.usable) return reject(this.#broken ?? new Error('the verification worker pool is closed'));
      this.#queue.push({ records, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job !== undefined) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      slot.job = job;
      // Referenced while busy: a caller awaiting the verdicts must keep the process alive.
      slot.worker.ref();
      slot.worker.postMessage({ records: job.records }, [job.records]);
    }
  }

  #finished(slot: Slot, verdicts: Uint8Array): void {
    const job = slot.job;
    slot.job = undefined;
    slot.worker.unref();
    job?.resolve(verdicts);
    this.#dispatch();
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
    for (const slot of this.#slots) {
      slot.job?.reject(err);
      slot.job = undefined;
      slot.worker.unref();
    }
    for (const job of this.#queue.splice(0)) job.reject(err);
  }
}

/** The checks as fixed-size records in one transferable buffer. */
function pack(checks: readonly SignatureCheck[]): ArrayBuffer {
  const out = new Uint8Array(checks.length * RECORD);
  checks.forEach((c, i) => {
    const at = i * RECORD;
    out.set(c.publicKey, at);
    out.set(c.message, at + KEY);
    out.set(c.signature, at + KEY + MESSAGE);
  });
  return out.buffer;
}
