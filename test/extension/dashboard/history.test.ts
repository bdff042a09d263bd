import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SampleHistory, toSample } from '../../../src/extension/dashboard/history';
import { sample, snapshot } from '../../webview/fixtures';

describe('dashboard samples', () => {
  it('takes the plotted numbers from a snapshot', () => {
    const s = snapshot((m) => {
      m.hit('memory');
      m.miss('memory');
      m.hit('disk');
      m.downloaded(2_000);
      m.served(2_000);
    });
    const x = toSample(s);
    assert.equal(x.t, s.at);
    assert.equal(x.hit, 1, '(1 memory + 1 disk) of 2 reads');
    assert.equal(x.memory, 0.5);
    assert.equal(x.disk, 1);
    assert.ok(x.tps > 0 && x.bps > 0 && x.served > 0);
  });

  it('stays within its capacity and still spans the whole session', () => {
    const h = new SampleHistory(100);
    for (let t = 0; t < 10_000; t++) h.push(sample(t));
    const all = h.all();
    assert.ok(all.length <= 100, `${all.length}`);
    assert.equal(all[0]!.t, 0, 'the start of the session is still there');
    assert.equal(all.at(-1)!.t, 9_999, 'the newest is kept');
    for (let i = 1; i < all.length; i++) assert.ok(all[i]!.t > all[i - 1]!.t, 'in order');
    const recent = all.slice(-40).map((x) => x.t);
    assert.deepEqual(recent, Array.from({ length: 40 }, (_, i) => 9_960 + i), 'the recent part at full resolution');
    h.clear();
    assert.equal(h.length, 0);
  });
});
