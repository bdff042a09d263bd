import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StatsSnapshot } from '../../src/core';
import { statsTable } from '../../src/cli/statsTable';
import { tempDir } from '../helpers/marketplaceFixture';
import { snapshot } from '../webview/fixtures';
import { runCli } from './runCli';

describe('CLI stats', () => {
  test('stats prints the dashboard snapshot as tables, or as JSON', async (t) => {
    const cache = await tempDir(t);
    // A first run fills the cache; stats in a new process then reads the catalog from disk.
    assert.equal((await runCli(['verify', '--cache', cache], { cwd: cache })).code, 0);
    const text = await runCli(['stats', '--cache', cache], { cwd: cache });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^cache\n {2}tier +hits +misses +hit ratio$/m);
    assert.match(text.stdout, /^ {2}disk +1 +0 +100\.0%$/m, 'the catalog came from the disk tier');
    assert.match(text.stdout, /^ {2}samples +fresh +1 +\d+ s ago +2099-12-31T00:00:00Z +20$/m);
    assert.match(text.stdout, /^occupancy$/m);
    assert.match(text.stdout, /^ {2}disk +21 +/m, 'the disk tier holds the 20 packages and the catalog');

    const json = await runCli(['stats', '--json', '--cache', cache], { cwd: cache });
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as StatsSnapshot;
    assert.equal(s.sources[0]?.id, 'samples');
    assert.equal(s.occupancy.disk?.entries, 21);
    assert.equal(s.occupancy.memory.maxEntries, 100_000, 'the default entry backstop: the memory tier is bounded by bytes');
    assert.equal(s.metrics.tiers.disk.hits, 1);
    assert.equal((await runCli(['stats', 'extra', '--cache', cache], { cwd: cache })).code, 2, 'no positional arguments');
  });

  test('verify --stats adds the statistics of the run; --json makes it one JSON document', async (t) => {
    const cache = await tempDir(t);
    const text = await runCli(['verify', 'readme', 'adr', '--stats', '--cache', cache], { cwd: cache });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^2 verified, 0 failed in \d+ ms/m);
    assert.match(text.stdout, /^ {2}download +2 +/m, 'latency of the two downloads');
    assert.match(text.stdout, /^verification: 4 verified \(2 from the verification cache\), 0 failed$/m);

    const json = await runCli(['verify', 'readme', 'nope', '--stats', '--json', '--cache', cache], { cwd: cache });
    assert.equal(json.code, 1, 'one failure');
    const doc = JSON.parse(json.stdout) as { results: Array<{ ref: string; ok: boolean; code?: string }>; summary: { verified: number; failed: number }; stats: StatsSnapshot };
    assert.deepEqual(doc.results.map((r) => [r.ref, r.ok, r.code]), [
      ['readme', true, undefined],
      ['nope', false, 'E_NOT_FOUND'],
    ]);
    assert.deepEqual([doc.summary.verified, doc.summary.failed], [1, 1]);
    assert.equal(doc.stats.metrics.errorsByCode.E_NOT_FOUND, 1, 'errors by code');
    assert.equal(doc.stats.metrics.tiers.disk.hits >= 1, true, 'readme came from the disk tier of the first run');
  });
});

describe('statsTable', () => {
  test('formats every section, including failures by reason and errors by code', () => {
    const s: StatsSnapshot = snapshot((m) => {
      m.hit('memory');
      m.miss('memory');
      m.miss('disk');
      m.latency('download', 4.5);
      m.error('E_NETWORK');
      m.verified({ ok: false, cached: false, code: 'E_SIGNATURE' });
    });
    const text = statsTable({ ...s, sources: [{ ...s.sources[0]!, state: 'offline', error: { code: 'E_NETWORK', message: 'down' } }] }).join('\n');
    assert.match(text, /^ {2}overall +1 +1 +50\.0%$/m);
    assert.match(text, /^ {2}download +1 +4\.50 ms +4\.50 ms +4\.50 ms +4\.50 ms$/m);
    assert.match(text, /^ {2}memory +3 of 500 +2\.9 KiB +64\.0 MiB +0\.0%$/m);
    assert.match(text, /^verification: 0 verified \(0 from the verification cache\), 1 failed: E_SIGNATURE 1$/m);
    assert.match(text, /^errors by code: E_NETWORK 1$/m);
    assert.match(text, /^ {2}samples +offline +3 +60 s ago/m);
    assert.match(text, /^ {2}samples: error\[E_NETWORK\]: down$/m);
  });
});
