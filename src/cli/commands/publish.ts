import { mkdir, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NotFoundError, UsageError } from '../../core/errors';
import { readPackage } from '../../core/format';
import { packTemplateDir, publishPackages } from '../../core/publish';
import { integerOption, parseCommandArgs } from '../args';
import { buildTime } from '../clock';
import { readPrivateKey } from '../keyFiles';
import type { Command } from './command';

export const publish: Command = {
  name: 'publish',
  usage: 'publish <marketplace-dir> --key <key.json> [--publisher-key <key.json>] [--expires-days N] [--name <text>] [--wait-seconds N] <package.zip|template-dir>...',
  summary: 'add packages to a marketplace folder and re-sign its catalog',
  details: [
    'Template folders are packed first. Versions are immutable and only go up. --key signs catalog.json',
    '(an existing catalog must verify with it); --publisher-key signs the packages (default: --key).',
    'With no packages, the catalog is only re-signed with a fresh expiry (--expires-days, default 30).',
    'SOURCE_DATE_EPOCH (seconds) fixes the publication time. Publishes to one folder take turns:',
    'a run waits up to --wait-seconds (default 60) for another one to finish.',
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      key: { type: 'string' },
      'publisher-key': { type: 'string' },
      'expires-days': { type: 'string' },
      name: { type: 'string' },
      'wait-seconds': { type: 'string' },
    });
    const [marketplaceDir, ...inputs] = positionals;
    if (marketplaceDir === undefined) throw new UsageError('missing <marketplace-dir>');
    if (values.key === undefined) throw new UsageError('missing --key <key.json> (the catalog key)');
    const catalogKey = await readPrivateKey(resolve(io.cwd, values.key));
    const publisherFile = values['publisher-key'];
    const publisherKey = publisherFile === undefined ? undefined : await readPrivateKey(resolve(io.cwd, publisherFile));
    const expiresInDays = integerOption(values['expires-days'], '--expires-days', { min: 1, max: 3650 });
    const waitSeconds = integerOption(values['wait-seconds'], '--wait-seconds', { min: 0, max: 3600 });
    const packages: Uint8Array[] = [];
    for (const input of inputs) packages.push(await loadPackage(resolve(io.cwd, input)));

    const dir = resolve(io.cwd, marketplaceDir);
    await mkdir(dir, { recursive: true });
    const result = await publishPackages({
      marketplaceDir: dir, packages, catalogKey, publisherKey, expiresInDays, name: values.name, now: buildTime(io.env),
      lock: {
        ...(waitSeconds !== undefined ? { timeoutMs: waitSeconds * 1000 } : {}),
        onWait: (holder) => io.err(`waiting for another publish to ${dir} (pid ${holder.pid} on ${holder.host}) to finish…`),
      },
    });
    io.out(`published ${dir}: catalog version ${result.catalog.version}, ${result.catalog.templates.length} templates, expires ${result.catalog.expires}`);
    for (const [label, ids] of [['added', result.added], ['updated', result.updated], ['unchanged', result.unchanged]] as const) {
      if (ids.length > 0) io.out(`  ${label}: ${ids.join(', ')}`);
    }
    return 0;
  },
};

/** A template folder is packed; a zip is read and fully checked here, so an error names its file. */
async function loadPackage(input: string): Promise<Uint8Array> {
  const stats = await stat(input).catch(() => undefined);
  if (!stats) throw new NotFoundError(`${input} does not exist`);
  if (stats.isDirectory()) return (await packTemplateDir(input)).bytes;
  const bytes = new Uint8Array(await readFile(input));
  readPackage(bytes, input);
  return bytes;
}
