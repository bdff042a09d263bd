import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { buildStats, collectStats, MarketplaceClient, Metrics, NetworkError, sampleSource } from '../../../src/core';
import { tempDir } from '../../helpers/marketplaceFixture';

const SAMPLE = resolve(__dirname, '..', '..', '..', 'media', 'sample-marketplace');

describe('stats snapshot', () => {
  test('buildStats turns engine state into plain JSON data', () => {
    const s = buildStats({
      metrics: new Metrics().snapshot(),
      memory: { entries: 3, bytes: 300 },
      limits: { memory: { maxEntries: 10, maxBytes: 1000 }, disk: { maxBytes: 5000 } },
      sources: [
        { id: 'a', name: 'A', url: 'https://a.example/', state: 'offline', version: 4, expires: '2027-01-01T00:00:00Z', expired: false, templates: 7, checkedAt: 1_000, error: new NetworkError('down') },
        { id: 'b', name: 'B', url: 'file:///b/', state: 'empty', expired: false, templates: 0 },
        { id: 'c', name: 'Evil\u202eqe', url: 'file:///c/', state: 'error', expired: false, templates: 0, error: new NetworkError('bad\u001b[2J') },
      ],
      now: 61_000,
    });
    assert.deepEqual(s.occupancy, { memory: { entries: 3, maxEntries: 10, bytes: 300, maxBytes: 1000 }, disk: undefined });
    assert.deepEqual(s.sources[0], {
      id: 'a',
      name: 'A',
      url: 'https://a.example/',
      state: 'offline',
      version: 4,
      expires: '2027-01-01T00:00:00Z',
      expired: false,
      templates: 7,
      checkedAt: 1_000,
      ageMs: 60_000,
      error: { code: 'E_NETWORK', message: 'down' },
    });
    assert.deepEqual(s.sources[1], { id: 'b', name: 'B', url: 'file:///b/', state: 'empty', expired: false, templates: 0 });
    assert.equal(s.sources[2]?.name, 'Evil\\u202eqe', 'bidi controls from a catalog are neutralised');
    assert.equal(s.sources[2]?.error?.message, 'bad\\u001b[2J');
    assert.equal(s.at, 61_000);
    assert.deepEqual(JSON.parse(JSON.stringify(s)), { ...s, occupancy: { memory: s.occupancy.memory } }, 'survives JSON (undefined disk aside)');
  });

  test('collectStats reads a real client: limits, both tiers and the sample source', async (t) => {
    const cacheDir = await tempDir(t);
    const client = await MarketplaceClient.open({ sources: [sampleSource(SAMPLE)], cacheDir, memory: { maxEntries: 42 }, disk: { maxBytes: 1 << 20 } });
    t.after(() => client.close());
    assert.deepEqual(client.limits(), { memory: { maxEntries: 42, maxBytes: 64 * 1024 * 1024 }, disk: { maxBytes: 1 << 20 } });
    await client.downloadBatch(['samples/readme', 'samples/adr']);
    const s = await collectStats(client, () => Date.now());
    assert.equal(s.occupancy.memory.entries, 2, 'two packages in memory (the catalog is held apart)');
    assert.equal(s.occupancy.memory.maxEntries, 42);
    assert.ok(s.occupancy.disk && s.occupancy.disk.entries >= 3 && s.occupancy.disk.maxBytes === 1 << 20, JSON.stringify(s.occupancy.disk));
    assert.equal(s.sources[0]?.state, 'fresh');
    assert.equal(s.sources[0]?.templates, 20);
    assert.equal(s.metrics.totals.downloads, 2);
    assert.ok(s.metrics.latency.download && s.metrics.latency.catalog, Object.keys(s.metrics.latency).join());
  });
});
