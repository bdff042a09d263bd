import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notification } from '../../src/protocol/dashboard';
import { countRows, fill, hitRatioColumns, initialState, latencyRows, MAX_SAMPLES, measureButton, reduce, throughputColumns, visibleSamples, withRange } from '../../src/webview/dashboard/state';
import { sample, snapshot } from './fixtures';

const start = () => initialState({ v: 1, range: 'all' });

describe('dashboard state reducer', () => {
  it('replaces the series on a full resend and appends otherwise, in time order', () => {
    const snap = snapshot();
    let s = reduce(start(), notification('metrics/didChange', { snapshot: snap, samples: [sample(1), sample(2)], replace: true }));
    assert.deepEqual(s.samples.map((x) => x.t), [1, 2]);
    assert.equal(s.snapshot, snap);
    s = reduce(s, notification('metrics/didChange', { snapshot: snap, samples: [sample(3)], replace: false }));
    s = reduce(s, notification('metrics/didChange', { snapshot: snap, samples: [sample(3), sample(2)], replace: false }));
    assert.deepEqual(s.samples.map((x) => x.t), [1, 2, 3], 'repeats and older samples are dropped');
    s = reduce(s, notification('metrics/didChange', { snapshot: snap, samples: [sample(10)], replace: true }));
    assert.deepEqual(s.samples.map((x) => x.t), [10], 'a resend starts over (e.g. the engine was rebuilt)');
  });

  it('keeps at most MAX_SAMPLES, dropping the oldest', () => {
    const many = Array.from({ length: MAX_SAMPLES + 10 }, (_, i) => sample(i));
    const s = reduce(start(), notification('metrics/didChange', { snapshot: snapshot(), samples: many, replace: true }));
    assert.equal(s.samples.length, MAX_SAMPLES);
    assert.equal(s.samples[0]?.t, 10);
  });

  it('takes host and measure states whole, and never mutates the previous state', () => {
    const before = start();
    const frozen = JSON.stringify(before);
    const s = reduce(reduce(before, notification('state/didChange', { state: { engine: 'open', running: ['warmUp'] } })), notification('measure/didChange', { measure: { status: 'cancelled' } }));
    assert.deepEqual(s.host, { engine: 'open', running: ['warmUp'] });
    assert.deepEqual(s.measure, { status: 'cancelled' });
    assert.equal(JSON.stringify(before), frozen);
  });

  it('the Measure button starts once the engine is open and cancels while running', () => {
    let s = start();
    assert.deepEqual(measureButton(s), { action: 'start', enabled: false });
    s = reduce(s, notification('state/didChange', { state: { engine: 'open', running: [] } }));
    assert.deepEqual(measureButton(s), { action: 'start', enabled: true });
    s = reduce(s, notification('measure/didChange', { measure: { status: 'running', progress: { phase: 'cold', done: 1, total: 20 } } }));
    assert.deepEqual(measureButton(s), { action: 'cancel', enabled: true });
  });
});

describe('dashboard series', () => {
  const samples = [sample(0), sample(30_000), sample(200_000, { hit: 0.9234, memory: 1.2, disk: -1 }), sample(250_000)];

  it('selects the range counted back from the newest sample', () => {
    assert.deepEqual(visibleSamples(samples, '1m').map((x) => x.t), [200_000, 250_000]);
    assert.deepEqual(visibleSamples(samples, '5m').map((x) => x.t), [0, 30_000, 200_000, 250_000]);
    assert.deepEqual(visibleSamples(samples, 'all').length, 4);
    assert.deepEqual(visibleSamples([], '1m'), []);
    assert.equal(withRange(start(), '5m').ui.range, '5m');
  });

  it('turns samples into uPlot columns: x in seconds, ratios as clamped percentages', () => {
    const [x, hit, memory, disk] = hitRatioColumns(samples);
    assert.deepEqual(x, [0, 30, 200, 250]);
    assert.equal(hit?.[2], 92.3);
    assert.equal(memory?.[2], 100, 'clamped');
    assert.equal(disk?.[2], 0, 'clamped');
    const [, tps, served, mbps] = throughputColumns(samples);
    assert.deepEqual(tps, [1, 1, 1, 1]);
    assert.deepEqual(served, [2, 2, 2, 2]);
    assert.deepEqual(mbps, [0.001, 0.001, 0.001, 0.001]);
  });
});

describe('dashboard tables', () => {
  it('orders latency rows by the engine operations, then unknown ones by name', () => {
    const s = snapshot((m) => {
      for (const op of ['zeta', 'install', 'verify', 'alpha', 'catalog', 'download', 'verifyBatch', 'search']) m.latency(op, 1);
    });
    assert.deepEqual(latencyRows(s).map((r) => r.op), ['catalog', 'search', 'download', 'verify', 'verifyBatch', 'install', 'alpha', 'zeta']);
    assert.deepEqual(latencyRows(undefined), []);
  });

  it('lists counts by code, largest first, without zeros', () => {
    assert.deepEqual(countRows({ E_NETWORK: 2, E_SIGNATURE: 5, E_HTTP: 2, E_NONE: 0 }), [
      { code: 'E_SIGNATURE', count: 5 },
      { code: 'E_HTTP', count: 2 },
      { code: 'E_NETWORK', count: 2 },
    ]);
    assert.deepEqual(countRows(undefined), []);
  });

  it('computes occupancy shares within 0…1', () => {
    assert.equal(fill(50, 200), 0.25);
    assert.equal(fill(300, 200), 1);
    assert.equal(fill(5, 0), 0);
  });
});
