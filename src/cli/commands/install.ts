import { resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import type { ConflictPolicy } from '../../core';
import { ENGINE_DETAILS, ENGINE_OPTIONS, ENGINE_USAGE, openClient } from '../engine';
import { expectPositionals, parseCommandArgs } from '../args';
import { parseVars } from '../vars';
import type { Command } from './command';

const POLICIES: readonly ConflictPolicy[] = ['fail', 'skip', 'overwrite'];

export const install: Command = {
  name: 'install',
  usage: `install <id> <target-dir> [--var name=value]... [--on-conflict fail|skip|overwrite] ${ENGINE_USAGE}`,
  summary: 'verify a template and write its files into a folder',
  details: [
    'Variables without --var take their defaults; one with no default must be given. Existing files are',
    'never overwritten silently: by default the install stops and lists them (--on-conflict to choose).',
    ...ENGINE_DETAILS,
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      ...ENGINE_OPTIONS,
      var: { type: 'string', multiple: true },
      'on-conflict': { type: 'string' },
    });
    const [ref, target] = expectPositionals(positionals, ['id', 'target-dir']);
    const onConflict = (values['on-conflict'] ?? 'fail') as ConflictPolicy;
    if (!POLICIES.includes(onConflict)) throw new UsageError(`--on-conflict expects fail, skip or overwrite, got "${onConflict}"`);
    const variables = parseVars(values.var);
    // The engine creates a missing target folder itself, and only once the install can go ahead.
    const targetDir = resolve(io.cwd, target!);
    const client = await openClient(values, io);
    try {
      const result = await client.install(ref!, targetDir, variables, { onConflict });
      for (const path of result.written) io.out(`wrote       ${path}`);
      for (const path of result.overwritten) io.out(`overwrote   ${path}`);
      for (const path of result.skipped) io.out(`skipped     ${path} (exists)`);
      io.out(`installed ${ref} into ${result.targetFolder}`);
      return 0;
    } finally {
      await client.close();
    }
  },
};
