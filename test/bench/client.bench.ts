// End to end through MarketplaceClient: the same batch of packages read cold (network, loopback),
// warm from disk (a new client on the same cache folder) and warm from memory, side by side.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarketplaceClient } from '../../src/core';
import { FixtureServer, MarketplaceFixture } from '../helpers/marketplaceFixture';

const TEMPLATES = 64;
const PACKAGE_PADDING = 48 * 1024;

export async function run(): Promise<void> {
  const fixture = new MarketplaceFixture(
    Array.from({ length: TEMPLATES }, (_, i) => ({ id: `t${i}`, downloads: i, padding: PACKAGE_PADDING })),
  );
  const server = await FixtureServer.start(fixture);
  const cacheDir = await mkdtemp(join(tmpdir(), 'tm-bench-'));
  const ids = fixture.catalog.templates.map((t) => t.id);
  const open = () =>
    MarketplaceClient.open({ sources: [{ id: 'bench', url: server.url, publicKey: fixture.publicKey }], cacheDir });
  try {
    const first = await open();
    await first.refresh();
    const cold = await first.downloadBatch(ids);
    const memory = await first.downloadBatch(ids);
    const m = first.metrics.snapshot();
    await first.close();
    const second = await open();
    await second.refresh();
    const disk = await second.downloadBatch(ids);
    await second.close();

    const mb = (cold.totals.bytes / 1024 / 1024).toFixed(1);
    const rate = (r: typeof cold) => `${(r.items.length / (r.elapsedMs / 1000)).toFixed(0).padStart(7)} templates/s  ${(r.totals.bytes / 1024 / 1024 / (r.elapsedMs / 1000)).toFixed(1).padStart(7)} MB/s  (${r.elapsedMs.toFixed(1)} ms)`;
    console.log(`batch of ${ids.length} packages, ${mb} MB, concurrency 8, loopback server`);
    console.log(`  cold (L3 network + verify + store): ${rate(cold)}`);
    console.log(`  warm from disk (L2):                ${rate(disk)}`);
    console.log(`  warm from memory (L1):              ${rate(memory)}`);
    console.log(`  ratio memory/cold ${(cold.elapsedMs / memory.elapsedMs).toFixed(1)}x, disk/cold ${(cold.elapsedMs / disk.elapsedMs).toFixed(1)}x`);
    console.log(`  download p50 ${m.latency.download?.p50.toFixed(2)} ms, p99 ${m.latency.download?.p99.toFixed(2)} ms; first client hit ratio ${(m.hitRatio * 100).toFixed(0)}%`);
    for (const r of [cold, disk, memory]) if (r.totals.failed) throw new Error(`${r.totals.failed} downloads failed`);
  } finally {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}
