import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildStats, Metrics } from '../../../src/core';
import { DashboardFeed, type FeedClient } from '../../../src/extension/dashboard/feed';
import type { HostMessage } from '../../../src/protocol/dashboard';
import { status } from '../fixtures';
import { fakeTime } from './fakeTimers';

type MetricsMessage = Extract<HostMessage, { method: 'metrics/didChange' }>;

/** A client whose metrics emit when the test says, with the emission interval of the real engine. */
function fakeClient(time: ReturnType<typeof fakeTime>) {
  const metrics = new Metrics({ now: time.now, emitIntervalMs: 250 });
  const listeners = new Set<() => void>();
  let scans = 0;
  const client: FeedClient = {
    metrics: Object.assign(Object.create(metrics) as Metrics, {
      snapshot: () => metrics.snapshot(),
      subscribe: (l: () => void) => {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
    }),
    memoryStats: () => ({ entries: 2, bytes: 200 }),
    cacheStats: async () => {
      scans++;
      return { memory: { entries: 2, bytes: 200 }, disk: { entries: 4, blobs: 4, bytes: 4_000 } };
    },
    limits: () => ({ memory: { maxEntries: 10, maxBytes: 1_000 }, disk: { maxBytes: 10_000 } }),
    status: () => [status('samples', { templates: 20 })],
  };
  return {
    client,
    metrics,
    emit: () => listeners.forEach((l) => l()),
    listeners: () => listeners.size,
    scans: () => scans,
  };
}

function setup() {
  const time = fakeTime();
  const posted: MetricsMessage[] = [];
  const feed = new DashboardFeed({
    post: (m) => m.method === 'metrics/didChange' && posted.push(m),
    buildStats,
    now: time.now,
    timers: time.timers,
  });
  const c = fakeClient(time);
  return { time, posted, feed, ...c };
}

/** Lets the async disk scan settle. */
const tick = () => new Promise((r) => setImmediate(r));

describe('DashboardFeed', () => {
  it('posts a complete snapshot with the whole series first, then one sample per post', () => {
    const { time, posted, feed, client, metrics, emit } = setup();
    feed.setVisible(true);
    feed.attach(client);
    time.advance(0);
    assert.equal(posted.length, 1);
    assert.equal(posted[0]!.params.replace, true);
    metrics.hit('memory');
    emit();
    time.advance(250);
    assert.equal(posted.length, 2);
    assert.equal(posted[1]!.params.replace, false);
    assert.equal(posted[1]!.params.samples.length, 1);
    assert.equal(posted[1]!.params.snapshot.metrics.tiers.memory.hits, 1, 'the latest numbers');
    assert.deepEqual(posted[1]!.params.snapshot.occupancy.memory, { entries: 2, maxEntries: 10, bytes: 200, maxBytes: 1_000 });
    assert.equal(posted[1]!.params.snapshot.sources[0]?.templates, 20);
  });

  it('coalesces bursts: never more than 4 posts a second, and the last one carries the latest state', () => {
    const { time, posted, feed, client, metrics, emit } = setup();
    feed.setVisible(true);
    feed.attach(client);
    time.advance(0);
    posted.length = 0;
    // 1000 changes over 2 s, each announced at once (harsher than the engine, which coalesces itself).
    for (let i = 0; i < 1000; i++) {
      metrics.hit('disk');
      emit();
      time.advance(2);
    }
    time.advance(500);
    assert.ok(posted.length <= 9, `${posted.length} posts in 2.5 s`);
    for (let i = 1; i < posted.length; i++) {
      assert.ok(posted[i]!.params.snapshot.at - posted[i - 1]!.params.snapshot.at >= 250, 'at least 250 ms apart');
    }
    assert.equal(posted.at(-1)!.params.snapshot.metrics.tiers.disk.hits, 1000);
  });

  it('posts nothing while hidden, keeps sampling slowly, and resends the whole series when shown', () => {
    const { time, posted, feed, client, metrics, emit } = setup();
    feed.setVisible(true);
    feed.attach(client);
    time.advance(0);
    feed.setVisible(false);
    posted.length = 0;
    for (let i = 0; i < 40; i++) {
      metrics.hit('memory');
      emit();
      time.advance(100);
    }
    assert.equal(posted.length, 0, 'hidden: nothing posted');
    const recorded = feed.history.length;
    assert.ok(recorded >= 4 && recorded <= 6, `about one sample a second while hidden (${recorded})`);
    feed.setVisible(true);
    time.advance(250);
    assert.equal(posted.length, 1);
    assert.equal(posted[0]!.params.replace, true);
    assert.equal(posted[0]!.params.samples.length, feed.history.length);
    assert.equal(posted[0]!.params.snapshot.metrics.tiers.memory.hits, 40);
  });

  it('answers webview/ready at once with everything (resync)', () => {
    const { time, posted, feed, client } = setup();
    feed.setVisible(true);
    feed.attach(client);
    time.advance(0);
    feed.resync();
    assert.equal(posted.length, 2, 'no wait for the rate limit');
    assert.equal(posted[1]!.params.replace, true);
  });

  it('scans the disk tier when it opens, then only once the engine is quiet, and never while hidden', async () => {
    const { time, posted, feed, client, metrics, emit, scans } = setup();
    const change = async (ms: number) => {
      metrics.miss('disk');
      emit();
      time.advance(ms);
      await tick();
    };
    feed.setVisible(true);
    feed.attach(client);
    time.advance(0);
    await tick();
    assert.equal(scans(), 1, 'one scan when it opens');
    time.advance(250);
    assert.deepEqual(posted.at(-1)!.params.snapshot.occupancy.disk, { entries: 4, bytes: 4_000, maxBytes: 10_000 });

    // A 3 s batch: no scan competes with it; one follows a second after it ends.
    for (let i = 0; i < 30; i++) await change(100);
    assert.equal(scans(), 1, 'no scan during the batch');
    time.advance(1_000);
    await tick();
    assert.equal(scans(), 2, 'one scan once quiet');
    time.advance(30_000);
    await tick();
    assert.equal(scans(), 2, 'no scans without changes');

    // A long batch still updates, every 15 s at most.
    for (let i = 0; i < 200; i++) await change(100);
    assert.ok(scans() === 3 || scans() === 4, `20 s of changes: ${scans() - 2} scan(s)`);

    feed.setVisible(false);
    time.advance(5_000);
    await tick();
    const hidden = scans();
    for (let i = 0; i < 30; i++) await change(200);
    time.advance(30_000);
    await tick();
    assert.equal(scans(), hidden, 'no scans while hidden');
  });

  it('keeps refreshing while the throughput window drains, then stops', () => {
    const { time, posted, feed, client, metrics, emit } = setup();
    feed.setVisible(true);
    feed.attach(client);
    time.advance(0);
    metrics.downloaded(1_000);
    metrics.served(1_000);
    emit();
    time.advance(250);
    const afterBatch = posted.length;
    time.advance(15_000); // no more events: the window (10 s) slides past the download
    assert.ok(posted.length > afterBatch + 5, 'refreshed while the rate decays');
    assert.equal(posted.at(-1)!.params.snapshot.metrics.throughput.templatesPerSec, 0, 'ends at 0');
    const settled = posted.length;
    time.advance(60_000);
    assert.equal(posted.length, settled, 'then idle: no more posts');
    assert.equal(time.pending(), 0, 'and no timer left');
  });

  it('follows a rebuilt client from scratch, and leaves nothing behind when disposed', () => {
    const { time, posted, feed, client, metrics, emit, listeners } = setup();
    feed.setVisible(true);
    feed.attach(client);
    metrics.hit('memory');
    emit();
    time.advance(1_000);
    const other = fakeClient(time);
    feed.attach(other.client);
    assert.equal(listeners(), 0, 'the old client is no longer listened to');
    time.advance(0);
    assert.equal(posted.at(-1)!.params.replace, true);
    assert.equal(posted.at(-1)!.params.samples.length, 1, 'a new series');
    feed.dispose();
    assert.equal(other.listeners(), 0);
    assert.equal(time.pending(), 0, 'no timer left');
    other.emit();
    time.advance(5_000);
    assert.equal(feed.latest?.metrics.tiers.memory.hits, 0);
  });
});
