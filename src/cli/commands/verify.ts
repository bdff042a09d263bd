import { collectStats } from '../../core';
import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient } from '../engine';
import { parseCommandArgs } from '../args';
import { statsTable } from '../statsTable';
import type { Command } from './command';

export const verify: Command = {
  name: 'verify',
  usage: `verify [id...] [--concurrency N] [--stats] [--json] ${ENGINE_USAGE}`,
  summary: 'download and verify templates (all of them by default); exit 1 if any fails',
  details: [
    'Has the marketplace confirm its catalog now (a cached or expired catalog never passes: if the',
    'marketplace cannot be reached, verify fails), then checks each package: size, SHA-256 and the',
    'publisher\'s Ed25519 signature. Meant for CI: prints one line per template and a summary, and exits',
    'non-zero on any failure.',
    '--stats then prints the cache statistics of the run (as `stats` does: tiers, latency, occupancy…).',
    '--json prints one JSON document instead: { results, summary, stats? }.',
    ...ENGINE_DETAILS,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...ENGINE_OPTIONS, stats: { type: 'boolean' }, json: { type: 'boolean' } });
    const client = await openClient(values, io);
    try {
      // CI wants the marketplace as it is now, not as cached: it must confirm the catalog (a 304 when
      // unchanged), or verify fails with the reason (E_NETWORK "could not revalidate", E_EXPIRED, …).
      await client.revalidate();
      const refs = positionals.length > 0 ? positionals : (await client.list()).map((t) => t.ref);
      const started = performance.now();
      // verifyBatch revalidates again for itself: a catalog replaced in between is verified as it is now.
      const results = await client.verifyBatch(refs);
      const elapsed = performance.now() - started;
      const failed = results.filter((r) => !r.ok).length;
      const m = client.metrics.snapshot();
      const stats = values.stats ? await collectStats(client) : undefined;
      if (values.json) {
        io.out(
          JSON.stringify(
            {
              results: results.map((r) => (r.ok ? { ref: r.ref, ok: true } : { ref: r.ref, ok: false, code: r.error.code, message: r.error.message })),
              summary: { verified: results.length - failed, failed, elapsedMs: Math.round(elapsed), downloads: m.totals.downloads, hitRatio: m.hitRatio },
              ...(stats ? { stats } : {}),
            },
            null,
            2,
          ),
        );
        return failed === 0 ? 0 : 1;
      }
      for (const r of results) {
        if (r.ok) io.out(`ok      ${r.ref}`);
        else io.out(`FAILED  ${r.ref}: error[${r.error.code}]: ${r.error.message}`);
      }
      io.out(
        `${results.length - failed} verified, ${failed} failed in ${elapsed.toFixed(0)} ms ` +
          `(${m.totals.downloads} downloaded, cache hit ratio ${(m.hitRatio * 100).toFixed(0)}%)`,
      );
      if (stats) {
        io.out('');
        for (const line of statsTable(stats)) io.out(line);
      }
      return failed === 0 ? 0 : 1;
    } finally {
      await client.close();
    }
  },
};
