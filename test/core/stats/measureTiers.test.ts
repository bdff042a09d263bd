import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { MarketplaceClient, measureTiers, sampleSource, type MeasureProgress } from '../../../src/core';
import { tempDir } from '../../helpers/marketplaceFixture';
import { rejection } from '../../helpers/rejection';

const SAMPLE = resolve(__dirname, '..', '..', '..', 'media', 'sample-marketplace');

/** Every file under `dir` with its size, mtime and SHA-256: any write, touch or removal changes it. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const s = await stat(path);
    out[path.slice(dir.length)] = `${s.size} ${s.mtimeMs} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  }
  return out;
}

async function userClient(t: TestContext) {
  const cacheDir = await tempDir(t, 'tm-user-');
  const client = await MarketplaceClient.open({ sources: [sampleSource(SAMPLE)], cacheDir });
  t.after(() => client.close());
  // The user's cache holds a few packages and the catalog, as after a little use.
  await client.downloadBatch(['samples/readme', 'samples/adr', 'samples/runbook']);
  return { client, cacheDir };
}

describe('measureTiers', () => {
  test('reads the 20 most popular sample templates cold, from disk and from memory, leaving the user cache untouched', async (t) => {
    const { client, cacheDir } = await userClient(t);
    const tmpRoot = await tempDir(t, 'tm-measure-root-');
    const before = await fingerprint(cacheDir);
    // Rates change with the clock alone; every counter must stay as it was.
    const counters = () => ({ ...client.metrics.snapshot(), at: 0, throughput: undefined });
    const metricsBefore = counters();
    const memoryBefore = (await client.cacheStats()).memory;
    const phases: MeasureProgress['phase'][] = [];

    const m = await measureTiers(client, { tmpRoot, onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase) });

    assert.equal(m.refs.length, 20, 'the sample marketplace has 20 templates');
    assert.deepEqual(phases, ['preparing', 'cold', 'disk', 'memory', 'cleaning']);
    for (const [run, tier] of [
      [m.cold, 'network'],
      [m.disk, 'disk'],
      [m.memory, 'memory'],
    ] as const) {
      assert.equal(run.tier, tier);
      assert.equal(run.templates, 20, `${tier}: every template read`);
      assert.equal(run.failed, 0);
      assert.equal(run.fromIntendedTier, 20, `${tier}: every template came from that tier`);
      assert.ok(run.templatesPerSec > 0 && run.bytes > 0);
    }
    assert.equal(m.cold.bytes, m.memory.bytes, 'the same batch each time');
    assert.ok(Math.abs(m.ratios.memoryOverCold - m.memory.templatesPerSec / m.cold.templatesPerSec) < 1e-9);

    assert.deepEqual(await fingerprint(cacheDir), before, "no file of the user's cache folder was written, touched or removed");
    assert.deepEqual(counters(), metricsBefore, "the user's client recorded nothing");
    assert.deepEqual((await client.cacheStats()).memory, memoryBefore, "the user's memory tier is as it was");
    assert.deepEqual(await readdir(tmpRoot), [], 'the throwaway cache folder is gone');
  });

  test('is cancellable: rejects with E_ABORTED and still removes its folder', async (t) => {
    const { client, cacheDir } = await userClient(t);
    const tmpRoot = await tempDir(t, 'tm-measure-root-');
    const before = await fingerprint(cacheDir);
    const controller = new AbortController();
    const err = await rejection(
      measureTiers(client, {
        tmpRoot,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'disk') controller.abort();
        },
      }),
    );
    assert.equal((err as { code?: string }).code, 'E_ABORTED');
    assert.deepEqual(await readdir(tmpRoot), []);
    assert.deepEqual(await fingerprint(cacheDir), before);
    // The user's client still works.
    assert.equal((await client.downloadBatch(['samples/readme'])).totals.done, 1);
  });

  test('refuses at once when already aborted, creating nothing', async (t) => {
    const { client } = await userClient(t);
    const tmpRoot = await tempDir(t, 'tm-measure-root-');
    const err = await rejection(measureTiers(client, { tmpRoot, signal: AbortSignal.abort() }));
    assert.equal((err as { code?: string }).code, 'E_ABORTED');
    assert.deepEqual(await readdir(tmpRoot), []);
  });
});
