import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expectPositionals, parseCommandArgs } from '../args';
import { compareDirs } from '../sample/compareDirs';
import { buildSampleMarketplace, checkVersionBump, replaceDir, SAMPLE } from '../sample/buildSample';
import type { Command } from './command';

export const buildSample: Command = {
  name: 'build-sample',
  usage: 'build-sample [--check]',
  summary: `rebuild ${SAMPLE.outDir} from ${SAMPLE.sourcesDir}`,
  details: [
    'Run from the repository root. The build is deterministic (fixed key, time and expiry), so the',
    `committed copy can be checked: --check builds to a temporary folder, lists every difference with`,
    `${SAMPLE.outDir} and exits with 1 if there is any.`,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { check: { type: 'boolean' } });
    expectPositionals(positionals, []);
    const outDir = join(io.cwd, SAMPLE.outDir);
    // Build next to the output (same file system, so the swap is a rename) or, for --check, anywhere.
    const tmp = await mkdtemp(values.check ? join(tmpdir(), 'sample-marketplace-') : join(dirname(outDir), '.sample-marketplace-'));
    try {
      const result = await buildSampleMarketplace(io.cwd, tmp);
      await checkVersionBump(outDir, tmp);
      if (values.check) {
        const differences = await compareDirs(tmp, outDir);
        for (const line of differences) io.err(line);
        if (differences.length > 0) {
          io.err(`${SAMPLE.outDir} is out of date (${differences.length} differences); run "npm run sample:build"`);
          return 1;
        }
        io.out(`${SAMPLE.outDir} is up to date (${result.catalog.templates.length} templates)`);
        return 0;
      }
      await chmod(tmp, 0o755); // mkdtemp makes it private; the result is a folder to publish
      await replaceDir(tmp, outDir);
      io.out(`built ${SAMPLE.outDir}: ${result.catalog.templates.length} templates, catalog version ${result.catalog.version}`);
      return 0;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  },
};
