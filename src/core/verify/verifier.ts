import { availableParallelism } from 'node:os';
import { LRUCache } from 'lru-cache';
import { AbortedError, FormatError, type IntegrityError, type SignatureError } from '../errors';
import { fromBase64, fromHex, keyIdOf, toHex } from '../format';
import { HEX64 } from '../format/validate';
import { checkPackageBinding } from './binding';
import { failures } from './failures';
import { NativeEd25519 } from '../format/nativeEd25519';
import { VERDICT, VerifyWorkerPool, type SignatureCheck } from './workerPool';

export interface VerifyItem {
  /** Template id, named in every error. */
  id: string;
  /** The publisher's Ed25519 public key (32 bytes). */
  publicKey: Uint8Array;
  /** Hex SHA-256 of the package, from the catalog entry. */
  sha256: string;
  /** Base64 signature from the catalog entry, over the 32 raw digest bytes. */
  signature: string;
  /** The package bytes; when given, their size and SHA-256 must match the catalog too. */
  bytes?: Uint8Array;
  /** The catalog size; required when `bytes` are given. */
  size?: number;
}

export type VerifyResult =
  | { id: string; ok: true; cached: boolean }
  | { id: string; ok: false; cached: boolean; error: SignatureError | IntegrityError };

export interface VerifierOptions {
  /** Signature outcomes to remember; 0 turns the cache off. Default 10 000. */
  cacheSize?: number;
  /**
   * How many signatures of a batch are checked at once on libuv's thread pool (node:crypto's
   * native Ed25519, not worker_threads: see the numbers below). 0 checks everything on the
   * calling thread, blocking it for ~90 µs per uncached item. Default 16.
   */
  parallelism?: number;
  /**
   * Batches with at least `minBatch` uncached signatures are checked on `size` worker threads
   * (started on first such batch, ended by close()); smaller batches stay on the thread pool above.
   * `size: 0` turns the workers off. Default: os.availableParallelism() workers, minBatch 64.
   * `source` replaces the worker's code, for tests only.
   */
  workers?: { size?: number; minBatch?: number; source?: string };
}

export interface VerifierStats {
  /** Items checked, cache hits and failures included. */
  verified: number;
  /** Items whose signature outcome was remembered (or shared with an identical item in flight). */
  cacheHits: number;
  /** Items that did not verify. */
  failures: number;
}

/*
 * Where signatures are checked (test/bench/verify.bench.ts; Node 20.20, 2 cores, signatures over
 * 32-byte digests; verified items per second, best of 3, on an idle machine):
 *
 *                                 batch 1   batch 16   batch 256
 *   tweetnacl, main thread            176        164         177
 *   tweetnacl, 2 worker threads       198        294         305
 *   node:crypto, main thread       12 339     12 257      12 061
 *   node:crypto, libuv pool        11 515     19 515      22 394
 *   Verifier {parallelism: 0}     10 761     11 058      10 909   no cache
 *   Verifier {parallelism: 16}    10 662     17 835      18 942   no cache; one item runs inline
 *   Verifier, cached re-verify    329 603    637 500     688 723   1.5-3 µs an item
 *
 * node:crypto is ~70x faster than tweetnacl, which only signs and makes keys here (the tests hold
 * both to the RFC 8032 vectors; the tweetnacl worker experiment stays in test/bench/tweetnaclWorkerPool.ts).
 * - One item is checked inline: quicker than any round trip to another thread.
 * - Small batches go to libuv's thread pool through node:crypto's callback form, 16 in flight.
 * - Batches of at least 64 uncached signatures go to a pool of node:crypto worker threads, one
 *   per core (workerPool.ts), in a few chunks that every worker shares (each claims one check at a
 *   time from a shared counter, so all finish together): the checks no longer share libuv's four
 *   threads with the file system calls of the same batch (reads and writes of the cache wait behind
 *   queued crypto jobs there), a chunk costs one message per worker instead of one job per
 *   signature, and items with a pooled verdict are concluded without a promise each.
 *   The bench prints both against one core at 256/1,024/4,096; on a shared, loaded machine the
 *   figures swing widely (see its header), so compare them within one run.
 */

const DEFAULT_CACHE_SIZE = 10_000;
const DEFAULT_PARALLELISM = 16;
const DEFAULT_MIN_WORKER_BATCH = 64;
/** A pool whose workers died is replaced this many times at most; then batches stay inline. */
const MAX_POOL_FAILURES = 3;

/** Signature verdicts a batch got from the worker threads, by outcome key, and the keys already given to an item. */
interface WorkerVerdicts {
  verdicts: Map<string, boolean>;
  handedOut: Set<string>;
  /** Each item's outcome key, by index, where the batch computed it (so it is computed once). */
  keys: (string | undefined)[];
}

type Outcome = { valid: boolean; cached: boolean } | 'malformed';

/**
 * Verifies catalog signatures over package digests, and optionally binds downloaded bytes to
 * them. Never throws for a bad item: each result says what went wrong, naming the template.
 */
export class Verifier {
  readonly #backend = new NativeEd25519();
  readonly #outcomes: LRUCache<string, boolean> | undefined;
  /** Identical checks running right now, so a batch with repeats verifies each triple once. */
  readonly #inFlight = new Map<string, Promise<boolean>>();
  /** Calls in progress, which close() waits for. */
  readonly #running = new Set<Promise<unknown>>();
  readonly #parallelism: number;
  readonly #stats: VerifierStats = { verified: 0, cacheHits: 0, failures: 0 };
  readonly #workers: { size: number; minBatch: number; source?: string };
  #pool: VerifyWorkerPool | undefined;
  #poolFailures = 0;
  #closed = false;

  constructor(opts: VerifierOptions = {}) {
    const cacheSize = opts.cacheSize ?? DEFAULT_CACHE_SIZE;
    const parallelism = opts.parallelism ?? DEFAULT_PARALLELISM;
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
      throw new FormatError(`expected an integer >= 0, got ${cacheSize}`, 'verifier options', 'cacheSize');
    }
    if (!Number.isSafeInteger(parallelism) || parallelism < 0) {
      throw new FormatError(`expected an integer >= 0, got ${parallelism}`, 'verifier options', 'parallelism');
    }
    this.#outcomes = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
    this.#parallelism = parallelism;
    const size = opts.workers?.size ?? availableParallelism();
    const minBatch = opts.workers?.minBatch ?? DEFAULT_MIN_WORKER_BATCH;
    for (const [name, n, min] of [['workers.size', size, 0], ['workers.minBatch', minBatch, 1]] as const) {
      if (!Number.isSafeInteger(n) || n < min) throw new FormatError(`expected an integer >= ${min}, got ${n}`, 'verifier options', name);
    }
    this.#workers = { size, minBatch, ...(opts.workers?.source === undefined ? {} : { source: opts.workers.source }) };
  }

  /** A single item is checked on the calling thread (~85 µs uncached): quicker than a round trip to the thread pool. */
  verify(item: VerifyItem): Promise<VerifyResult> {
    return this.#track(() => this.#check(item, false));
  }

  /** Results come back in input order; a failing item never rejects the batch. */
  verifyBatch(items: readonly VerifyItem[]): Promise<VerifyResult[]> {
    return this.#track(async () => {
      const results = new Array<VerifyResult>(items.length);
      // Signatures checked on the worker threads, by cache key; the items then take their verdicts from here.
      const known = await this.#checkOnWorkers(items);
      // Those items are concluded right here, without a promise each: on a pooled batch this loop is
      // what the main thread adds to the workers' time.
      const rest: number[] = [];
      items.forEach((item, i) => {
        const key = known.keys[i];
        const outcome = key === undefined ? undefined : takeVerdict(key, known);
        if (outcome === undefined) return void rest.push(i);
        if (!outcome.cached) this.#outcomes?.set(key!, outcome.valid);
        results[i] = this.#count(conclude(item, outcome));
      });
      const threaded = this.#parallelism > 0 && rest.length > 1;
      let next = 0;
      // Each lane takes the next unchecked item, which bounds the checks queued on the shared
      // thread pool (file system calls wait behind them too).
      const lane = async (): Promise<void> => {
        while (next < rest.length) {
          const i = rest[next++]!;
          results[i] = await this.#check(items[i]!, threaded);
        }
      };
      const lanes = threaded ? Math.min(this.#parallelism, rest.length) : 1;
      await Promise.all(Array.from({ length: lanes }, lane));
      return results;
    });
  }

  get stats(): VerifierStats {
    return { ...this.#stats };
  }

  /** Waits for running calls, then frees the caches; later calls reject with an AbortedError. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#running);
    this.#outcomes?.clear();
    this.#backend.close();
    await this.#pool?.close();
  }

  #track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AbortedError('the signature verifier was closed'));
    const running = work();
    this.#running.add(running);
    const done = (): void => void this.#running.delete(running);
    running.then(done, done);
    return running;
  }

  async #check(item: VerifyItem, threaded: boolean): Promise<VerifyResult> {
    return this.#count(await this.#evaluate(item, threaded));
  }

  #count(result: VerifyResult): VerifyResult {
    this.#stats.verified++;
    if (result.cached) this.#stats.cacheHits++;
    if (!result.ok) this.#stats.failures++;
    return result;
  }

  async #evaluate(item: VerifyItem, threaded: boolean): Promise<VerifyResult> {
    const { id, publicKey, sha256 } = item;
    if (publicKey.length !== 32) return failed(id, failures.malformedPublicKey(id, publicKey.length));
    if (!HEX64.test(sha256)) return failed(id, failures.malformedDigest(id));
    try {
      return conclude(item, await this.#signatureOutcome(item, threaded));
    } catch (err) {
      return failed(id, failures.uncheckable(id, err));
    }
  }

  /** The outcome depends only on (key, digest, signature), so it is safe to remember either way. */
  async #signatureOutcome(item: VerifyItem, threaded: boolean): Promise<Outcome> {
    const { publicKey, sha256, signature } = item;
    const key = outcomeKey(item);
    const remembered = this.#outcomes?.get(key);
    if (remembered !== undefined) return { valid: remembered, cached: true };
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return { valid: await pending, cached: true };

    const signatureBytes = fromBase64(signature);
    if (signatureBytes?.length !== 64) return 'malformed';
    let valid: boolean;
    if (threaded) {
      const check = this.#backend.verifyAsync(publicKey, fromHex(sha256), signatureBytes);
      this.#inFlight.set(key, check);
      try {
        valid = await check;
      } finally {
        this.#inFlight.delete(key);
      }
    } else {
      valid = this.#backend.verify(publicKey, fromHex(sha256), signatureBytes);
    }
    this.#outcomes?.set(key, valid);
    return { valid, cached: false };
  }

  /**
   * Checks the batch's uncached, well-formed signatures on the worker threads when there are enough
   * of them to pay for the round trip. Any failure of the pool leaves the map empty (or partial):
   * the items it misses are then checked here as usual, so a crash costs time, never a verdict.
   */
  async #checkOnWorkers(items: readonly VerifyItem[]): Promise<WorkerVerdicts> {
    const known: WorkerVerdicts = { verdicts: new Map(), handedOut: new Set(), keys: [] };
    const { size, minBatch, source } = this.#workers;
    if (size === 0 || items.length < minBatch || this.#poolFailures >= MAX_POOL_FAILURES) return known;
    if (!this.#pool?.usable) this.#pool = new VerifyWorkerPool({ size, ...(source === undefined ? {} : { source }) });
    const pool = this.#pool;
    // Every worker shares each chunk (workerPool.ts), so chunks are few: the first goes as soon as
    // the batch is known to be worth the workers, and each next one is twice as big, which keeps
    // the workers busy while this thread prepares it.
    let chunkSize = minBatch;
    const chunks: Promise<void>[] = [];
    const seen = new Set<string>();
    let keys: string[] = [];
    let checks: SignatureCheck[] = [];
    const send = (): void => {
      const chunkKeys = keys;
      chunks.push(pool.verify(checks).then((verdicts) => {
        // A verdict the worker could not reach (node:crypto threw) stays out: the item is checked here, which reports why.
        verdicts.forEach((v, i) => v !== VERDICT.threw && known.verdicts.set(chunkKeys[i]!, v === VERDICT.valid));
      }));
      keys = [];
      checks = [];
      chunkSize *= 2;
    };
    let pending = 0;
    for (const [i, item] of items.entries()) {
      if (item.publicKey.length !== 32 || !HEX64.test(item.sha256)) continue;
      const key = outcomeKey(item);
      known.keys[i] = key;
      if (seen.has(key) || this.#outcomes?.has(key) || this.#inFlight.has(key)) continue;
      seen.add(key);
      const signature = fromBase64(item.signature);
      if (signature?.length !== 64) continue;
      keys.push(key);
      checks.push({ publicKey: item.publicKey, message: fromHex(item.sha256), signature });
      pending++;
      // Nothing is sent until the batch is known to be big enough to be worth the workers.
      if (pending >= minBatch && checks.length >= chunkSize) send();
    }
    if (pending < minBatch) return known;
    if (checks.length > 0) send();
    const outcomes = await Promise.allSettled(chunks);
    // Whatever a failed chunk did not settle is checked here; a pool that failed is replaced next time, a few times at most.
    if (outcomes.some((o) => o.status === 'rejected')) this.#poolFailures++;
    return known;
  }
}

/** A verdict the workers found for this key: the first item of the key takes it as checked, its repeats as shared. */
function takeVerdict(key: string, known: WorkerVerdicts): { valid: boolean; cached: boolean } | undefined {
  const valid = known.verdicts.get(key);
  if (valid === undefined) return undefined;
  if (known.handedOut.has(key)) return { valid, cached: true };
  known.handedOut.add(key);
  return { valid, cached: false };
}

/** An item's result once its signature's outcome is known: the signature, then the bytes' binding to the catalog. */
function conclude(item: VerifyItem, outcome: Outcome): VerifyResult {
  const { id } = item;
  if (outcome === 'malformed') return failed(id, failures.malformedSignature(id));
  if (!outcome.valid) return failed(id, failures.badSignature(id, keyIdOf(item.publicKey)), outcome.cached);
  if (item.bytes !== undefined) {
    const mismatch = checkPackageBinding(id, item.bytes, item.size, item.sha256);
    if (mismatch) return failed(id, mismatch, outcome.cached);
  }
  return { id, ok: true, cached: outcome.cached };
}

function failed(id: string, error: SignatureError | IntegrityError, cached = false): VerifyResult {
  return { id, ok: false, cached, error };
}

/**
 * Keyed by the signature's text, not its bytes: another spelling is another entry, never a false
 * hit. A malformed signature never gets an entry, so a hit needs no decoding.
 */
function outcomeKey({ publicKey, sha256, signature }: VerifyItem): string {
  return `${toHex(publicKey)}:${sha256}:${signature}`;
}
