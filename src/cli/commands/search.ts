import { UsageError } from '../../core/errors';
import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient } from '../engine';
import { integerOption, parseCommandArgs } from '../args';
import type { Command } from './command';

const SORTS = ['relevance', 'downloads', 'updated', 'name'] as const;

export const search: Command = {
  name: 'search',
  usage: `search [query] [--category C] [--tag T]... [--sort ${SORTS.join('|')}] [--limit N] [--json] ${ENGINE_USAGE}`,
  summary: 'search a marketplace catalog (verified before use)',
  details: ['With no query, lists templates by downloads. --json prints the matching catalog entries.', ...ENGINE_DETAILS],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...ENGINE_OPTIONS,
      category: { type: 'string' },
      tag: { type: 'string', multiple: true },
      sort: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    const sort = values.sort as (typeof SORTS)[number] | undefined;
    if (sort !== undefined && !SORTS.includes(sort)) throw new UsageError(`--sort expects one of ${SORTS.join(', ')}, got "${values.sort}"`);
    const client = await openClient(values, io);
    try {
      const { total, hits } = await client.search({
        query: positionals.join(' '),
        ...(values.category ? { category: values.category } : {}),
        ...(values.tag ? { tags: values.tag } : {}),
        ...(sort ? { sort } : {}),
        limit: integerOption(values.limit, '--limit', { min: 1, max: 10_000 }) ?? 50,
      });
      if (values.json) {
        io.out(JSON.stringify(hits.map((h) => h.entry), null, 2));
        return 0;
      }
      const width = Math.max(8, ...hits.map((h) => h.entry.ref.length));
      for (const { entry } of hits) {
        io.out(`${entry.ref.padEnd(width)}  ${entry.version.padEnd(8)} ${entry.category.padEnd(14)} ${entry.name} — ${entry.description}`);
      }
      io.out(`${hits.length} of ${total} template${total === 1 ? '' : 's'}`);
      return 0;
    } finally {
      await client.close();
    }
  },
};
