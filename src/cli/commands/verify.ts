import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient } from '../engine';
import { parseCommandArgs } from '../args';
import type { Command } from './command';

export const verify: Command = {
  name: 'verify',
  usage: `verify [id...] [--concurrency N] ${ENGINE_USAGE}`,
  summary: 'download and verify templates (all of them by default); exit 1 if any fails',
  details: [
    'Has the marketplace confirm its catalog now (a cached or expired catalog never passes: if the',
    'marketplace cannot be reached, verify fails), then checks each package: size, SHA-256 and the',
    'publisher\'s Ed25519 signature. Meant for CI: prints one line per template and a summary, and exits',
    'non-zero on any failure.',
    ...ENGINE_DETAILS,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, ENGINE_OPTIONS);
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
      let failed = 0;
      for (const r of results) {
        if (r.ok) io.out(`ok      ${r.ref}`);
        else {
          failed++;
          io.out(`FAILED  ${r.ref}: error[${r.error.code}]: ${r.error.message}`);
        }
      }
      const m = client.metrics.snapshot();
      io.out(
        `${results.length - failed} verified, ${failed} failed in ${elapsed.toFixed(0)} ms ` +
          `(${m.totals.downloads} downloaded, cache hit ratio ${(m.hitRatio * 100).toFixed(0)}%)`,
      );
      return failed === 0 ? 0 : 1;
    } finally {
      await client.close();
    }
  },
};
