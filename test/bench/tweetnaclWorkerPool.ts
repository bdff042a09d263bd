/**
 * Experimental: a `node:worker_threads` pool that verifies Ed25519 signatures with tweetnacl.
 * It lives with the benchmark, not in src/, because node:crypto beat it by a wide margin (see
 * src/core/verify/verifier.ts for the numbers) and the Verifier does not use it.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface SignedDigest {
  publicKey: Uint8Array; // 32 bytes
  message: Uint8Array; // 32 bytes: the package digest
  signature: Uint8Array; // 64 bytes
}

/** One record per job in the shared buffer: key, digest, signature. */
const RECORD = 32 + 32 + 64;

/**
 * Plain JavaScript evaluated in each worker, so the pool needs no loader (tsx) and no separate
 * bundle. tweetnacl is required by absolute path: an eval worker resolves from the cwd.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const nacl = require(workerData.tweetnacl);
parentPort.on('message', ({ id, records }) => {
  const count = records.length / ${RECORD};
  const results = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * ${RECORD};
    const key = records.subarray(at, at + 32);
    const digest = records.subarray(at + 32, at + 64);
    const signature = records.subarray(at + 64, at + ${RECORD});
    results[i] = nacl.sign.detached.verify(digest, signature, key) ? 1 : 0;
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

interface Pending {
  resolve(results: Uint8Array): void;
  reject(err: unknown): void;
}

export class TweetnaclWorkerPool {
  readonly size: number;
  readonly #workers: Worker[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  constructor(size = availableParallelism()) {
    this.size = size;
    const workerData = { tweetnacl: require.resolve('tweetnacl') };
    this.#workers = Array.from({ length: size }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
      worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
        this.#pending.get(id)?.resolve(results);
        this.#pending.delete(id);
      });
      worker.on('error', (err) => this.#failAll(err));
      return worker;
    });
  }

  /** Splits the jobs into one contiguous chunk per worker; results come back in input order. */
  async verifyBatch(jobs: readonly SignedDigest[]): Promise<boolean[]> {
    const chunkSize = Math.ceil(jobs.length / this.size);
    const chunks: Promise<Uint8Array>[] = [];
    for (let w = 0; w < this.size && w * chunkSize < jobs.length; w++) {
      chunks.push(this.#run(this.#workers[w]!, jobs.slice(w * chunkSize, (w + 1) * chunkSize)));
    }
    const results = await Promise.all(chunks);
    return results.flatMap((r) => Array.from(r, (v) => v === 1));
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #run(worker: Worker, jobs: readonly SignedDigest[]): Promise<Uint8Array> {
    const records = new Uint8Array(jobs.length * RECORD);
    jobs.forEach((job, i) => {
      records.set(job.publicKey, i * RECORD);
      records.set(job.message, i * RECORD + 32);
      records.set(job.signature, i * RECORD + 64);
    });
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, records }, [records.buffer]);
    });
  }

  #failAll(err: unknown): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
