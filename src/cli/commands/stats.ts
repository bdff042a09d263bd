import { collectStats } from '../../core';
import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient } from '../engine';
import { parseCommandArgs, expectPositionals } from '../args';
import { statsTable } from '../statsTable';
import type { Command } from './command';

export const stats: Command = {
  name: 'stats',
  usage: `stats [--json] ${ENGINE_USAGE}`,
  summary: "print the cache's statistics: tiers, occupancy, latency, marketplaces (as the dashboard shows them)",
  details: [
    'Loads the catalogs (from the cache when fresh) and prints the same snapshot the extension\'s dashboard',
    'shows: hit ratios per tier, throughput, latency per operation, memory and disk occupancy against',
    'their limits, verification and error counts, and each marketplace\'s catalog version, age and state.',
    'The counters are this process\'s own; `verify --stats` prints them after a whole verification run.',
    '--json prints the snapshot as JSON.',
    ...ENGINE_DETAILS,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...ENGINE_OPTIONS, json: { type: 'boolean' } });
    expectPositionals(positionals, []);
    const client = await openClient(values, io);
    try {
      await client.refresh();
      const snapshot = await collectStats(client);
      if (values.json) io.out(JSON.stringify(snapshot, null, 2));
      else for (const line of statsTable(snapshot)) io.out(line);
      return 0;
    } finally {
      await client.close();
    }
  },
};
