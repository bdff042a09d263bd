import { resolve } from 'node:path';
import { collectStats } from '../../core';
import { UsageError } from '../../core/errors';
import { PROVENANCE_FILE } from '../../core/provenance';
import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient, type EngineValues } from '../engine';
import { expectPositionals, parseCommandArgs } from '../args';
import type { CliIo } from '../io';
import { statsTable } from '../statsTable';
import type { Command } from './command';

export const verify: Command = {
  name: 'verify',
  usage: `verify [id...] [--concurrency N] [--stats] [--json] ${ENGINE_USAGE}\n       template-marketplace verify --installed [dir] [--json] ${ENGINE_USAGE}`,
  summary: 'download and verify templates (all of them by default); exit 1 if any fails',
  details: [
    'Has the marketplace confirm its catalog now (a cached or expired catalog never passes: if the',
    'marketplace cannot be reached, verify fails), then checks each package: size, SHA-256 and the',
    'publisher\'s Ed25519 signature. Meant for CI: prints one line per template and a summary, and exits',
    'non-zero on any failure.',
    '--stats then prints the cache statistics of the run (as `stats` does: tiers, latency, occupancy…).',
    '--json prints one JSON document instead: { results, summary, stats? }.',
    '',
    `--installed re-checks what dir's ${PROVENANCE_FILE} (default: the current folder) records: each`,
    'catalog is confirmed by the marketplace now, each recorded package is fetched from its versioned path',
    'and must be exactly the recorded SHA-256, signed by the recorded publisher with a key the catalog lists',
    '(and the package the catalog lists for that version, if it still does), and every recorded file must',
    'still hold its recorded digest. Exits 1 on any problem; --json prints { dir, ok, entries }.',
    ...ENGINE_DETAILS,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...ENGINE_OPTIONS,
      stats: { type: 'boolean' },
      json: { type: 'boolean' },
      installed: { type: 'boolean' },
    });
    if (values.installed) {
      if (values.stats) throw new UsageError('--stats does not go with --installed');
      const [dir] = positionals.length > 0 ? expectPositionals(positionals, ['dir']) : ['.'];
      return verifyInstalledFolder(resolve(io.cwd, dir!), values, io);
    }
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

/** `verify --installed`: the folder's record against the marketplace, and the files against the record. */
async function verifyInstalledFolder(dir: string, values: EngineValues & { json?: boolean }, io: CliIo): Promise<number> {
  const client = await openClient(values, io, { recordDir: dir });
  try {
    const report = await client.verifyInstalled(dir);
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
      return report.ok ? 0 : 1;
    }
    if (report.entries.length === 0) {
      io.out(`no templates recorded in ${report.dir} (no ${PROVENANCE_FILE})`);
      return 0;
    }
    for (const e of report.entries) {
      const catalog = e.catalog.listed ? (e.catalog.version === e.version ? '' : `; the catalog now lists ${e.catalog.version}`) : '; no longer in the catalog';
      if (e.ok) io.out(`ok      ${e.key} ${e.version} (package verified, files as recorded${catalog})`);
      else {
        io.out(`FAILED  ${e.key} ${e.version}${catalog}`);
        for (const problem of e.problems) io.out(`  ${problem}`);
      }
    }
    const failed = report.entries.filter((e) => !e.ok).length;
    io.out(`${report.entries.length - failed} verified, ${failed} failed in ${report.dir}`);
    return report.ok ? 0 : 1;
  } finally {
    await client.close();
  }
}
