// What the open dashboard costs a batch: the same 1,000-package batch with the dashboard closed
// (no subscriber) and open (a DashboardFeed, as the panel runs it: snapshot + sample at ≤ 4/s,
// each message serialised with JSON.stringify the way postMessage would), side by side, interleaved,
// median of several rounds. Cold (loopback network, verify, store) and warm from memory.
// Wall time moves with whatever else the machine runs; the process's CPU time per batch (all its
// threads) and the main-thread time spent on the dashboard's behalf are the steadier figures.
// BENCH_AA=1 runs both arms with the dashboard closed: the noise floor of this machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStats, MarketplaceClient, type Metrics } from '../../src/core';
import { DashboardFeed, type FeedClient } from '../../src/extension/dashboard/feed';
import { FixtureServer, MarketplaceFixture } from '../helpers/marketplaceFixture';

const TEMPLATES = 1_000;
const PADDING = 4 * 1024;
const COLD_ROUNDS = 9;
const WARM_ROUNDS = 21;
const SETTLE_MS = 300;

export async function run(): Promise<void> {
  const fixture = new MarketplaceFixture(Array.from({ length: TEMPLATES }, (_, i) => ({ id: `t${i}`, downloads: i, padding: PADDING })));
  const server = await FixtureServer.start(fixture);
  const ids = fixture.catalog.templates.map((t) => t.id);
  const dirs: string[] = [];
  const open = async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'tm-bench-dash-'));
    dirs.push(cacheDir);
    const client = await MarketplaceClient.open({ sources: [{ id: 'bench', url: server.url, publicKey: fixture.publicKey }], cacheDir });
    await client.refresh();
    return client;
  };
  let posts = 0;
  let postedBytes = 0;
  /** Main-thread time spent on the dashboard's behalf during the timed batches (snapshots, stats, serialising). */
  let busyMs = 0;
  let measuring = false;
  const clocked = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): R => {
    const t = performance.now();
    try {
      return fn(...a);
    } finally {
      if (measuring) busyMs += performance.now() - t;
    }
  };
  /** The dashboard as the panel runs it, visible, posting to a serialiser instead of a webview. */
  const attachDashboard = async (client: MarketplaceClient) => {
    const metrics = { snapshot: clocked(() => client.metrics.snapshot()), subscribe: (l: Parameters<Metrics['subscribe']>[0]) => client.metrics.subscribe(l) } as unknown as Metrics;
    const watched: FeedClient = {
      metrics,
      memoryStats: clocked(() => client.memoryStats()),
      cacheStats: () => client.cacheStats(),
      limits: clocked(() => client.limits()),
      status: clocked(() => client.status()),
    };
    const feed = new DashboardFeed({
      post: clocked((m) => {
        posts++;
        postedBytes += JSON.stringify(m).length;
      }),
      buildStats: clocked(buildStats),
    });
    feed.setVisible(true);
    feed.attach(watched);
    feed.resync();
    // The panel is open before the batch starts: its first disk scan is done by then.
    for (let i = 0; i < 200 && !feed.latest?.occupancy.disk; i++) await new Promise((r) => setTimeout(r, 10));
    return feed;
  };
  const cpu = { closed: [] as number[], open: [] as number[] };
  const timed = async (client: MarketplaceClient, dashboard: boolean) => {
    const feed = dashboard && !process.env.BENCH_AA ? await attachDashboard(client) : undefined;
    // The dashboard is open *during* the batch, not opened at its first millisecond: both arms let
    // the process settle for the same time first (the panel's first disk scan leaves garbage that a
    // batch started at once would pay for; a person does not start a batch within milliseconds).
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    measuring = dashboard;
    const before = process.cpuUsage();
    try {
      const r = await client.downloadBatch(ids);
      if (r.totals.failed) throw new Error(`${r.totals.failed} downloads failed`);
      const used = process.cpuUsage(before);
      cpu[dashboard ? 'open' : 'closed'].push((used.user + used.system) / 1000);
      return r.elapsedMs;
    } finally {
      measuring = false;
      feed?.dispose();
    }
  };
  try {
    let busyCold = 0;
    const cold = { closed: [] as number[], open: [] as number[] };
    const warm = { closed: [] as number[], open: [] as number[] };
    // Interleaved, alternating which goes first, so drift (GC, page cache, CPU clock) hits both alike.
    for (let round = 0; round < COLD_ROUNDS; round++) {
      for (const dashboard of round % 2 === 0 ? [false, true] : [true, false]) {
        const client = await open();
        try {
          cold[dashboard ? 'open' : 'closed'].push(await timed(client, dashboard));
        } finally {
          await client.close();
        }
      }
    }
    busyCold = busyMs;
    busyMs = 0;
    const cpuCold = { closed: cpu.closed.splice(0), open: cpu.open.splice(0) };
    const client = await open();
    try {
      await client.downloadBatch(ids); // fill the memory tier
      for (let round = 0; round < WARM_ROUNDS; round++) {
        for (const dashboard of round % 2 === 0 ? [false, true] : [true, false]) warm[dashboard ? 'open' : 'closed'].push(await timed(client, dashboard));
      }
    } finally {
      await client.close();
    }

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const line = (label: string, r: { closed: number[]; open: number[] }, rounds: number) => {
      const closed = median(r.closed);
      const opened = median(r.open);
      const ratio = opened / closed;
      console.log(
        `  ${label.padEnd(34)} closed ${closed.toFixed(1).padStart(7)} ms   open ${opened.toFixed(1).padStart(7)} ms   open/closed ${ratio.toFixed(3)} (${ratio > 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %)  median of ${rounds}`,
      );
    };
    console.log(`batch of ${TEMPLATES} packages (${PADDING / 1024} KiB each), concurrency 8, loopback server; dashboard = DashboardFeed visible, JSON-serialised posts`);
    line('cold (network + verify + store)', cold, COLD_ROUNDS);
    line('  CPU time of the process', cpuCold, COLD_ROUNDS);
    line('warm from memory', warm, WARM_ROUNDS);
    line('  CPU time of the process', cpu, WARM_ROUNDS);
    const share = (busy: number, times: number[]) => `${busy.toFixed(1)} ms of ${times.reduce((a, b) => a + b, 0).toFixed(0)} ms (${((busy / times.reduce((a, b) => a + b, 0)) * 100).toFixed(2)} %)`;
    console.log(`  main-thread time of the dashboard during the open batches: cold ${share(busyCold, cold.open)}, warm ${share(busyMs, warm.open)}`);
    console.log(`  the open dashboard posted ${posts} messages, ${(postedBytes / 1024).toFixed(0)} KiB in all (${(postedBytes / Math.max(posts, 1) / 1024).toFixed(1)} KiB each)`);
    console.log(`  (the open/closed ratio is end to end and moves with machine load; the main-thread share is what the dashboard itself costs)`);
  } finally {
    await server.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}
