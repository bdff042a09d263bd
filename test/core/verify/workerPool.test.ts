import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBase64, fromHex, keyPairFromSeed, sha256Hex, signPackageDigest, utf8 } from '../../../src/core/format';
import { NativeEd25519, Verifier, type VerifyItem, type VerifyResult } from '../../../src/core/verify';
import { VERDICT, VerifyWorkerPool, type SignatureCheck } from '../../../src/core/verify/workerPool';

const publishers = [1, 2, 3].map((n) => keyPairFromSeed(new Uint8Array(32).fill(n)));
/** The group order L of Ed25519, little-endian: adding it to S gives a non-canonical copy of a valid signature. */
const L = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

function signed(i: number, signer = publishers[i % publishers.length]!): VerifyItem {
  const sha256 = sha256Hex(utf8.encode(`package ${i}`));
  return { id: `t${i}`, publicKey: signer.publicKey, sha256, signature: signPackageDigest(sha256, signer.secretKey) };
}

function withS(signature: Uint8Array, add: Uint8Array): Uint8Array {
  const out = Uint8Array.from(signature);
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = out[32 + i]! + add[i]! + carry;
    out[32 + i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

/** Valid, forged, wrong-key, zero, non-canonical and key-refused checks, in that rotation. */
function mixedChecks(count: number): SignatureCheck[] {
  return Array.from({ length: count }, (_, i) => {
    const item = signed(i);
    const check = { publicKey: item.publicKey, message: fromHex(item.sha256), signature: fromBase64(item.signature)! };
    switch (i % 6) {
      case 1:
        return { ...check, message: fromHex(sha256Hex(utf8.encode(`other ${i}`))) };
      case 2:
        return { ...check, publicKey: publishers[(i + 1) % publishers.length]!.publicKey };
      case 3:
        return { ...check, signature: new Uint8Array(64) };
      case 4:
        return { ...check, signature: withS(check.signature, L) };
      case 5:
        return { ...check, publicKey: new Uint8Array(32).fill(0xff) };
      default:
        return check;
    }
  });
}

/** What a Verifier answered, in a form two Verifiers can be compared by. */
function summary(results: VerifyResult[], withCached = true): string[] {
  return results.map((r) => `${r.id} ${r.ok ? 'ok' : `${r.error.code} ${r.error.message}`}${withCached ? ` cached=${r.cached}` : ''}`);
}

/** A batch of 96 items with forgeries, repeats and malformed fields among valid ones. */
function mixedItems(): VerifyItem[] {
  const items: VerifyItem[] = [];
  for (let i = 0; i < 80; i++) {
    const item = signed(i);
    if (i % 10 === 1) items.push({ ...item, signature: signed(i + 1000).signature });
    else if (i % 10 === 2) items.push({ ...item, signature: 'not base64!' });
    else if (i % 10 === 3) items.push({ ...item, publicKey: item.publicKey.subarray(0, 31) });
    else if (i % 10 === 4) items.push({ ...item, sha256: item.sha256.toUpperCase() });
    else items.push(item);
  }
  for (let i = 0; i < 16; i++) items.push(items[i * 5]!); // repeats of earlier items
  return items;
}

describe('VerifyWorkerPool', () => {
  it('gives the verdicts node:crypto gives inline, in input order', async () => {
    const checks = mixedChecks(300);
    const native = new NativeEd25519();
    const inline = checks.map((c) => (native.verify(c.publicKey, c.message, c.signature) ? VERDICT.valid : VERDICT.invalid));
    const pool = new VerifyWorkerPool({ size: 2 });
    try {
      assert.deepEqual([...(await pool.verify(checks))], inline);
      assert.equal(inline.filter((v) => v === VERDICT.valid).length, 50, 'only the untouched signatures verify');
      assert.deepEqual([...(await pool.verify([]))], []);
    } finally {
      await pool.close();
    }
    assert.equal(pool.usable, false);
    await assert.rejects(pool.verify(checks), /closed/);
  });

  it('answers calls that overlap, each with its own verdicts', async () => {
    const batches = [mixedChecks(200), mixedChecks(7).reverse(), mixedChecks(130).slice(3)];
    const native = new NativeEd25519();
    const pool = new VerifyWorkerPool({ size: 2 });
    try {
      const answers = await Promise.all(batches.map((checks) => pool.verify(checks)));
      answers.forEach((verdicts, b) =>
        assert.deepEqual([...verdicts], batches[b]!.map((c) => (native.verify(c.publicKey, c.message, c.signature) ? VERDICT.valid : VERDICT.invalid)), `batch ${b}`),
      );
    } finally {
      await pool.close();
    }
  });

  it('rejects a job that a worker calls finished while checks are left unchecked', async () => {
    const early = "const { parentPort } = require('node:worker_threads'); parentPort.on('message', ({ job }) => parentPort.postMessage({ job }));";
    const pool = new VerifyWorkerPool({ size: 1, source: early });
    try {
      await assert.rejects(pool.verify(mixedChecks(10)), /finished a job with checks left/);
    } finally {
      await pool.close();
    }
  });

  it('rejects, and stays broken, when a worker dies', async () => {
    const pool = new VerifyWorkerPool({ size: 2, source: "require('node:worker_threads').parentPort.on('message', () => process.exit(3));" });
    try {
      await assert.rejects(pool.verify(mixedChecks(64)), /exited \(code 3\)/);
      assert.equal(pool.usable, false);
      await assert.rejects(pool.verify(mixedChecks(1)), /exited/);
    } finally {
      await pool.close();
    }
  });
});

describe('Verifier on worker threads', () => {
  it('answers a large batch exactly as inline verification does', async () => {
    const items = mixedItems();
    const onWorkers = new Verifier({ workers: { size: 2, minBatch: 8 } });
    const inline = new Verifier({ workers: { size: 0 } });
    try {
      const expected = summary(await inline.verifyBatch(items));
      assert.deepEqual(summary(await onWorkers.verifyBatch(items)), expected);
      assert.deepEqual(onWorkers.stats, inline.stats);
      // Outcomes the workers found are remembered like any other.
      assert.ok((await onWorkers.verifyBatch(items.slice(0, 1)))[0]!.cached);
    } finally {
      await Promise.all([onWorkers.close(), inline.close()]);
    }
  });

  it('takes its verdicts from the workers for batches of at least minBatch, and not below', async () => {
    // A worker that calls every signature valid shows which path decided: a real one never lies.
    const lying = `const { parentPort } = require('node:worker_threads');
      parentPort.on('message', ({ job, memory, count }) => {
        new Uint8Array(memory, 8, count).fill(2); // stored plus one: 2 is "valid"
        parentPort.postMessage({ job });
      });`;
    const forged = Array.from({ length: 16 }, (_, i) => ({ ...signed(i), signature: signed(i + 100).signature }));
    const v = new Verifier({ workers: { size: 1, minBatch: 16, source: lying }, cacheSize: 0 });
    try {
      assert.ok((await v.verifyBatch(forged.slice(0, 15))).every((r) => !r.ok), 'below minBatch: inline');
      assert.ok((await v.verifyBatch(forged)).every((r) => r.ok), 'at minBatch: the workers decided');
    } finally {
      await v.close();
    }
  });

  for (const [what, source] of [
    ['exits on its first message', "require('node:worker_threads').parentPort.on('message', () => process.exit(1));"],
    ['throws on start', "throw new Error('no worker today');"],
    ['is not JavaScript', 'this is not javascript'],
  ] as const) {
    it(`falls back to inline verification when a worker ${what}`, async () => {
      const items = mixedItems();
      const inline = new Verifier({ workers: { size: 0 } });
      // No cache, so that every batch has signatures to check and tries the pool again (within its failure budget, then not).
      const broken = new Verifier({ workers: { size: 2, minBatch: 8, source }, cacheSize: 0 });
      try {
        const expected = summary(await inline.verifyBatch(items), false);
        for (let round = 0; round < 5; round++) assert.deepEqual(summary(await broken.verifyBatch(items), false), expected, `round ${round}`);
      } finally {
        await Promise.all([inline.close(), broken.close()]);
      }
    });
  }
});
