import { resolve } from 'node:path';
import { PROVENANCE_FILE } from '../../core/provenance';
import type { InstalledStatusReport } from '../../core';
import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient } from '../engine';
import { expectPositionals, parseCommandArgs } from '../args';
import type { Command } from './command';

const STATE_TEXT = {
  'up-to-date': 'up to date',
  'update-available': 'update available',
  'not-in-catalog': 'no longer in the catalog',
  'missing-files': 'missing files',
  'locally-modified': 'locally modified',
} as const;

export const status: Command = {
  name: 'status',
  usage: `status [dir] [--json] ${ENGINE_USAGE}`,
  summary: `show how the templates recorded in a folder's ${PROVENANCE_FILE} stand`,
  details: [
    `Reads ${PROVENANCE_FILE} in dir (default: the current folder) and prints, for each installed template,`,
    'its installed and catalog versions and its state: up to date, update available, locally modified,',
    'missing files or no longer in the catalog, with the files concerned. --json prints the structured result.',
    'Exits 1 when any template has an update, local changes or missing files, or is gone from the catalog,',
    'so it can gate CI; 0 when all are up to date or nothing is recorded.',
    ...ENGINE_DETAILS,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...ENGINE_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      io.out([`usage: template-marketplace ${status.usage}`, '', status.summary, '', ...status.details].join('\n'));
      return 0;
    }
    const [dir] = positionals.length > 0 ? expectPositionals(positionals, ['dir']) : ['.'];
    const folder = resolve(io.cwd, dir!);
    const client = await openClient(values, io, { recordDir: folder });
    let report: InstalledStatusReport;
    try {
      report = await client.installedStatus(folder);
    } finally {
      await client.close();
    }
    // The primary state is up-to-date only when no flag holds (see InstalledState).
    const failing = report.entries.some((e) => e.status.state !== 'up-to-date');
    if (values.json) {
      io.out(JSON.stringify({ dir: folder, ok: !failing, entries: report.entries }, null, 2));
      return failing ? 1 : 0;
    }
    if (report.entries.length === 0) {
      io.out(`no templates recorded in ${folder} (no ${PROVENANCE_FILE})`);
      return 0;
    }
    for (const { key, status: s } of report.entries) {
      const versions = `${s.installedVersion} → ${s.catalogVersion ?? '(none)'}`;
      const states = [s.state, ...(s.state !== 'missing-files' && s.flags.missingFiles ? ['missing-files' as const] : []),
        ...(s.state !== 'locally-modified' && s.flags.locallyModified ? ['locally-modified' as const] : [])];
      const text = states.map((st) => STATE_TEXT[st]).join(', ') + (s.flags.republished ? ' (the catalog re-released this version)' : '');
      io.out(`${key}  ${versions}  ${text}`);
      for (const path of s.modified) io.out(`  modified  ${path}`);
      for (const path of s.missing) io.out(`  missing   ${path}`);
    }
    const count = report.entries.filter((e) => e.status.state === 'up-to-date').length;
    io.out(`${count} of ${report.entries.length} up to date`);
    return failing ? 1 : 0;
  },
};
