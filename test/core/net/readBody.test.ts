import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { readBody } from '../../../src/core/net/readBody';

const body = (...chunks: string[]): Readable => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('readBody', () => {
  test('joins chunks into one exact-size array and reports progress', async () => {
    const progress: [number, number | undefined][] = [];
    const outcome = await readBody(body('ab', 'cde'), 10, undefined, (r, t) => progress.push([r, t]));
    assert.ok(outcome.ok);
    assert.equal(Buffer.from(outcome.bytes).toString(), 'abcde');
    assert.equal(outcome.bytes.buffer.byteLength, 5); // its own buffer, not a slice of a pool
    assert.deepEqual(progress, [
      [2, undefined],
      [5, undefined],
    ]);
  });

  test('fills a Content-Length sized buffer in place', async () => {
    const outcome = await readBody(body('ab', 'cde'), 10, 5);
    assert.ok(outcome.ok);
    assert.equal(Buffer.from(outcome.bytes).toString(), 'abcde');
  });

  test('stops on the chunk that crosses maxBytes and destroys the stream', async () => {
    const stream = body('abc', 'def', 'ghi');
    const outcome = await readBody(stream, 5, undefined);
    assert.ok(!outcome.ok);
    assert.equal(outcome.failure.kind, 'too-large');
    assert.equal(stream.destroyed, true);
  });

  test('treats a body shorter or longer than its Content-Length as a retryable network failure', async () => {
    for (const [chunks, length, reason] of [
      [['abc'], 5, /ended after 3 of 5 bytes/],
      [['abc', 'def'], 4, /ran past its 4-byte Content-Length/],
    ] as const) {
      const outcome = await readBody(body(...chunks), 100, length);
      assert.ok(!outcome.ok);
      assert.equal(outcome.failure.kind, 'network');
      assert.equal(outcome.failure.retryable, true);
      assert.match(outcome.failure.reason, reason);
    }
  });
});
