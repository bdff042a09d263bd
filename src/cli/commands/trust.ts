import { UsageError } from '../../core/errors';
import { expectPositionals, parseCommandArgs } from '../args';
import { openClient } from '../engine';
import type { Command } from './command';

const OPTIONS = {
  source: { type: 'string' },
  key: { type: 'string' },
  cache: { type: 'string' },
} as const;

/**
 * The rollback memory (trust.json beside the cache): `show` lists it, `reset` forgets it for one
 * marketplace or all. Resetting is how a user recovers from a damaged trust file, or accepts a
 * marketplace that was genuinely restarted at a lower catalog version.
 */
export const trust: Command = {
  name: 'trust',
  usage: 'trust show|reset [--source <url|dir> --key <pub.json|base64>] [--cache <dir>]',
  summary: 'show or reset the rollback memory (the highest catalog version accepted per marketplace)',
  details: [
    'The client remembers, per marketplace (URL and pinned key), the highest catalog version it accepted',
    'and refuses anything older. "trust show" lists that memory. "trust reset --source <url> --key <key>"',
    'forgets one marketplace (and its cached catalog); "trust reset" without --source forgets every',
    'marketplace and empties the cache. The next catalog is then accepted as if new: reset only when a',
    'marketplace was really reset, or when the trust file was damaged and the client refuses to go on.',
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    const [action] = expectPositionals(positionals, ['show|reset']);
    if (action !== 'show' && action !== 'reset') throw new UsageError(`expected "show" or "reset", got "${action}"`);
    if (values.source === undefined && values.key !== undefined) throw new UsageError('--key goes with --source');
    const client = await openClient(values, io);
    try {
      if (action === 'reset') {
        const count = values.source === undefined ? await client.resetTrust() : await client.resetTrust([client.status()[0]!.id]);
        io.out(
          values.source === undefined
            ? `forgot the rollback memory of ${count} marketplace${count === 1 ? '' : 's'} and emptied the cache`
            : `forgot the rollback memory of ${values.source}: its next catalog is accepted as if new`,
        );
        return 0;
      }
      const state = client.trustState();
      io.out(`trust file: ${state.file}`);
      if (state.damage !== undefined) io.out(`recovering: ${state.damage}`);
      if (state.entries.length === 0) io.out('no marketplace remembered');
      for (const e of state.entries) {
        const what = !e.record
          ? 'reset'
          : e.record.payloadSha256 === ''
            ? `version ${e.record.version} (carried over from an older trust file)`
            : `version ${e.record.version}, payload sha256 ${e.record.payloadSha256.slice(0, 16)}…`;
        io.out(`${e.url}  key ${e.keyid.slice(0, 16)}…  ${what}`);
      }
      return 0;
    } finally {
      await client.close();
    }
  },
};
