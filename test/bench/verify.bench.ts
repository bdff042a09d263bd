/**
 * Signature verification throughput, for the choice documented in src/core/verify/verifier.ts:
 * tweetnacl on the main thread, tweetnacl in a worker_threads pool, node:crypto (sync and on
 * libuv's thread pool), and the Verifier itself, cold and on cached re-verification. Then large
 * batches on every core (the Verifier's node:crypto worker pool) against one core, side by side,
 * with `openssl speed ed25519` as the hardware's figure when openssl is installed.
 *
 *   node --import tsx test/bench/verify.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import nacl from 'tweetnacl';
import { fromBase64, fromHex, keyPairFromSeed, sha256Hex, signPackageDigest, utf8, type KeyPair } from '../../src/core/format';
import { SignatureError } from '../../src/core/errors';
import { NativeEd25519, Verifier, type VerifyItem } from '../../src/core/verify';
import { TweetnaclWorkerPool, type SignedDigest } from './tweetnaclWorkerPool';

const BATCH_SIZES = [1, 16, 256] as const;
/** Batches for the both-cores comparison; the target is 1.6x the one-core rate from 256 up. */
const LARGE_BATCHES = [256, 1024, 4096] as const;
const POOL_TARGET = 1.6;
const PUBLISHERS = 8;
/** Each measurement runs for this long or this many calls, whichever comes first. */
const BUDGET_MS = 250;
const MAX_CALLS = 100_000;
/** Warm-up (JIT, key objects, worker start-up) runs at least one call, then until this much time has passed. */
const WARMUP_MS = 150;
/**
 * Every cell is measured once per round and the best round is kept: rounds interleave the
 * contenders, so a burst of load from elsewhere on a 2-core machine does not pick the winner.
 */
const ROUNDS = 3;

interface Fixture {
  items: VerifyItem[];
  digests: SignedDigest[];
}

function fixture(count: number): Fixture {
  const publishers: KeyPair[] = Array.from({ length: PUBLISHERS }, (_, p) => keyPairFromSeed(new Uint8Array(32).fill(p + 1)));
  const items: VerifyItem[] = [];
  const digests: SignedDigest[] = [];
  for (let i = 0; i < count; i++) {
    const publisher = publishers[i % PUBLISHERS]!;
    const sha256 = sha256Hex(utf8.encode(`package ${i}`));
    const signature = signPackageDigest(sha256, publisher.secretKey);
    items.push({ id: `template-${i}`, publicKey: publisher.publicKey, sha256, signature });
    digests.push({ publicKey: publisher.publicKey, message: fromHex(sha256), signature: fromBase64(signature)! });
  }
  return { items, digests };
}

async function warmUp(runBatch: () => unknown): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < MAX_CALLS && (i === 0 || performance.now() - start < WARMUP_MS); i++) await runBatch();
}

/** Verified items per second: the batch is run until the time budget or the call cap is spent. */
async function opsPerSecond(batch: number, runBatch: () => unknown): Promise<number> {
  let calls = 0;
  let elapsed = 0;
  const start = performance.now();
  while (elapsed < BUDGET_MS && calls < MAX_CALLS) {
    await runBatch();
    calls++;
    elapsed = performance.now() - start;
  }
  return (calls * batch) / (elapsed / 1000);
}

function expectAllValid(results: readonly boolean[]): void {
  if (!results.every(Boolean)) throw new SignatureError('a benchmark fixture failed to verify');
}

interface Row {
  name: string;
  run(batch: readonly SignedDigest[], items: readonly VerifyItem[]): unknown;
}

export async function run(): Promise<void> {
  const workers = availableParallelism();
  if (process.env.BENCH_VERIFY === 'large') {
    // Only the both-cores comparison: `BENCH_VERIFY=large node --import tsx test/bench/verify.bench.ts`.
    const native = new NativeEd25519();
    await bothCores(workers, native);
    native.close();
    return;
  }
  const { items, digests } = fixture(Math.max(...BATCH_SIZES));
  const pool = new TweetnaclWorkerPool(workers);
  const native = new NativeEd25519();
  const warmVerifier = new Verifier();
  await warmVerifier.verifyBatch(items);
  // Uncached Verifiers, by how many checks a batch keeps in flight on libuv's thread pool (no worker threads: bothCores() has those).
  const uncached = new Map([0, workers, 16].map((n) => [n, new Verifier({ parallelism: n, cacheSize: 0, workers: { size: 0 } })]));

  const rows: Row[] = [
    { name: 'tweetnacl, main thread', run: (b) => expectAllValid(b.map((d) => nacl.sign.detached.verify(d.message, d.signature, d.publicKey))) },
    { name: `tweetnacl, ${workers} worker threads`, run: async (b) => expectAllValid(await pool.verifyBatch(b)) },
    { name: 'node:crypto, main thread', run: (b) => expectAllValid(b.map((d) => native.verify(d.publicKey, d.message, d.signature))) },
    {
      name: 'node:crypto, libuv pool',
      run: async (b) => expectAllValid(await Promise.all(b.map((d) => native.verifyAsync(d.publicKey, d.message, d.signature)))),
    },
    ...[...uncached].map(([n, verifier]): Row => ({
      name: `Verifier {parallelism: ${n}}, no cache`,
      run: async (_, i) => expectAllValid((await verifier.verifyBatch(i)).map((r) => r.ok)),
    })),
    { name: 'Verifier, cached re-verify', run: async (_, i) => expectAllValid((await warmVerifier.verifyBatch(i)).map((r) => r.ok && r.cached)) },
  ];

  try {
    const table = new Map(rows.map((row) => [row.name, BATCH_SIZES.map(() => 0)]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of rows) {
        for (const [col, size] of BATCH_SIZES.entries()) {
          const runBatch = (): unknown => row.run(digests.slice(0, size), items.slice(0, size));
          if (round === 0) await warmUp(runBatch);
          const best = table.get(row.name)!;
          best[col] = Math.max(best[col]!, await opsPerSecond(size, runBatch));
        }
      }
    }
    print(table, workers);
    await bothCores(workers, native);
  } finally {
    await Promise.all([pool.close(), warmVerifier.close(), ...[...uncached.values()].map((v) => v.close())]);
    native.close();
  }
}

function print(table: Map<string, number[]>, workers: number): void {
  const baseline = table.get('tweetnacl, main thread')!;
  const nameWidth = Math.max(...[...table.keys()].map((k) => k.length));
  const cell = (ops: number, base: number): string =>
    `${Math.round(ops).toLocaleString('en-US')} ops/s (x${(ops / base).toFixed(1)})`.padStart(28);
  console.log(`\nEd25519 verification over 32-byte digests — Node ${process.version}, ${workers} cores; (xN) = vs tweetnacl main thread`);
  console.log(`${''.padEnd(nameWidth)}${BATCH_SIZES.map((s) => `batch ${s}`.padStart(28)).join('')}`);
  for (const [name, perSize] of table) {
    console.log(`${name.padEnd(nameWidth)}${perSize.map((ops, i) => cell(ops, baseline[i]!)).join('')}`);
  }
  const cached = table.get('Verifier, cached re-verify')!;
  console.log(`cached re-verify: ${cached.map((ops) => `${(1e6 / ops).toFixed(2)} µs`).join(' / ')} per item\n`);
}

/** One core (node:crypto inline) against the Verifier's worker pool, uncached, on large batches. */
async function bothCores(workers: number, native: NativeEd25519): Promise<void> {
  const { items, digests } = fixture(Math.max(...LARGE_BATCHES));
  const oneCoreVerifier = new Verifier({ cacheSize: 0, parallelism: 0, workers: { size: 0 } });
  const libuv = new Verifier({ cacheSize: 0, workers: { size: 0 } });
  const pooled = new Verifier({ cacheSize: 0 });
  const rows: Row[] = [
    { name: 'node:crypto, one core (inline loop)', run: (b) => expectAllValid(b.map((d) => native.verify(d.publicKey, d.message, d.signature))) },
    { name: 'Verifier, one core {workers: 0, parallelism: 0}', run: async (_, i) => expectAllValid((await oneCoreVerifier.verifyBatch(i)).map((r) => r.ok)) },
    { name: 'Verifier, libuv pool {workers: 0}', run: async (_, i) => expectAllValid((await libuv.verifyBatch(i)).map((r) => r.ok)) },
    { name: `Verifier, ${workers} worker threads (default)`, run: async (_, i) => expectAllValid((await pooled.verifyBatch(i)).map((r) => r.ok)) },
  ];
  try {
    const table = new Map(rows.map((row) => [row.name, LARGE_BATCHES.map(() => 0)]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of rows) {
        for (const [col, size] of LARGE_BATCHES.entries()) {
          const runBatch = (): unknown => row.run(digests.slice(0, size), items.slice(0, size));
          if (round === 0) await warmUp(runBatch);
          const best = table.get(row.name)!;
          best[col] = Math.max(best[col]!, await opsPerSecond(size, runBatch));
        }
      }
    }
    const oneCore = table.get(rows[0]!.name)!;
    const nameWidth = Math.max(...rows.map((r) => r.name.length));
    console.log(`Large uncached batches on every core vs one core — ${workers} cores; (xN) = vs node:crypto one core; target x${POOL_TARGET} from 256 up`);
    console.log(`${''.padEnd(nameWidth)}${LARGE_BATCHES.map((s) => `batch ${s}`.padStart(28)).join('')}`);
    for (const [name, perSize] of table) {
      console.log(`${name.padEnd(nameWidth)}${perSize.map((ops, i) => `${Math.round(ops).toLocaleString('en-US')} ops/s (x${(ops / oneCore[i]!).toFixed(2)})`.padStart(28)).join('')}`);
    }
    const pool = table.get(rows[3]!.name)!;
    const worst = Math.min(...pool.map((ops, i) => ops / oneCore[i]!));
    console.log(`worker pool vs one core: worst x${worst.toFixed(2)} (target x${POOL_TARGET}: ${worst >= POOL_TARGET ? 'met' : 'NOT met'})`);
    const openssl = opensslSpeed(workers);
    if (openssl) {
      const headroom = openssl.all / openssl.one;
      console.log(
        `openssl speed ed25519: ${Math.round(openssl.one).toLocaleString('en-US')} verify/s on one core, ${Math.round(openssl.all).toLocaleString('en-US')} on ${workers} ` +
          `(x${headroom.toFixed(2)}: what this machine lets ${workers} processes gain right now; the pool cannot gain more)`,
      );
      if (headroom < POOL_TARGET) console.log(`  other load leaves less than x${POOL_TARGET} of headroom: this run cannot show the target either way\n`);
      else console.log('');
    } else {
      console.log('openssl speed ed25519: openssl is not installed (or failed); no hardware figure\n');
    }
  } finally {
    await Promise.all([oneCoreVerifier.close(), libuv.close(), pooled.close()]);
  }
}

/** `openssl speed ed25519` verifications per second on one core and on all of them; undefined without openssl. */
function opensslSpeed(workers: number): { one: number; all: number } | undefined {
  const speed = (args: string[]): number | undefined => {
    try {
      const out = execFileSync('openssl', ['speed', '-seconds', '2', ...args, 'ed25519'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
      // The last column of the Ed25519 line is verifications per second.
      const line = out.split('\n').find((l) => /^\s*\d+ bits EdDSA \(Ed25519\)/.test(l));
      const verifies = Number(line?.trim().split(/\s+/).pop());
      return Number.isFinite(verifies) && verifies > 0 ? verifies : undefined;
    } catch {
      return undefined;
    }
  };
  const one = speed([]);
  const all = workers > 1 ? speed(['-multi', String(workers)]) : one;
  return one === undefined || all === undefined ? undefined : { one, all };
}

if (require.main === module) void run();
