import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarketplaceClient, TierMeasurement } from '../../../src/core';
import { AbortedError, NetworkError } from '../../../src/core';
import { MeasureController, type MeasureFn } from '../../../src/extension/dashboard/measure';
import type { MeasureState } from '../../../src/protocol/dashboard';

const client = {} as MarketplaceClient;
const result = { refs: ['a'], rounds: 1 } as TierMeasurement;

function controller(fn: MeasureFn) {
  const states: MeasureState[] = [];
  let t = 0;
  const c = new MeasureController(fn, (s) => states.push(s), (err) => `failed: ${(err as Error).message}`, () => (t += 10));
  return { c, states };
}

describe('MeasureController', () => {
  it('reports running, throttled progress, then the result', async () => {
    const { c, states } = controller(async (_client, { onProgress }) => {
      onProgress({ phase: 'cold', done: 0, total: 20 });
      for (let i = 1; i <= 20; i++) onProgress({ phase: 'cold', done: i, total: 20 });
      onProgress({ phase: 'disk', done: 0, total: 20 });
      return result;
    });
    await c.start(client);
    assert.deepEqual(states[0], { status: 'running', progress: { phase: 'preparing', done: 0, total: 0 } });
    assert.deepEqual(states.at(-1), { status: 'done', result });
    const progress = states.filter((s) => s.status === 'running');
    assert.ok(progress.length < 15, `item progress is throttled (${progress.length} states)`);
    assert.ok(progress.some((s) => s.status === 'running' && s.progress.phase === 'cold' && s.progress.done === 20), 'the end of a phase always shows');
    assert.ok(progress.some((s) => s.status === 'running' && s.progress.phase === 'disk'), 'phase changes always show');
    assert.equal(c.running, false);
  });

  it('runs one at a time, and cancelling ends as cancelled', async () => {
    let started = 0;
    const { c, states } = controller(async (_client, { signal }) => {
      started++;
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new AbortedError())));
      return result;
    });
    const first = c.start(client);
    void c.start(client);
    assert.equal(started, 1);
    c.cancel();
    await first;
    assert.deepEqual(states.at(-1), { status: 'cancelled' });
  });

  it('reports a failure with a readable message', async () => {
    const { c, states } = controller(async () => {
      throw new NetworkError('marketplace unreachable');
    });
    await c.start(client);
    assert.deepEqual(states.at(-1), { status: 'failed', message: 'failed: marketplace unreachable' });
  });
});
