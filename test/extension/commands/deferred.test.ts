import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deferredCommands } from '../../../src/extension/commands/deferred';
import type { CommandArgs, CommandTable } from '../../../src/extension/commands/index';
import { Commands } from '../../../src/extension/constants';

/** What registerCommands hands a handler (index.ts toArgs; that module needs the vscode runtime). */
const toArgs = (raw: unknown[]): CommandArgs => ({ target: raw[0], selection: raw.length > 0 ? [raw[0]] : [], raw });

describe('deferredCommands', () => {
  const ids = [Commands.installTemplate, Commands.search, Commands.refresh] as const;

  it('registers every id without loading the implementations, then loads them once, on the first call', async () => {
    let loads = 0;
    const calls: string[] = [];
    const table = deferredCommands(ids, (): CommandTable => {
      loads++;
      return {
        [Commands.installTemplate]: (args) => calls.push(`install ${String(args.target)}`),
        [Commands.search]: () => calls.push('search'),
        [Commands.refresh]: async () => 'refreshed',
      };
    });
    assert.deepEqual(Object.keys(table).sort(), [...ids].sort());
    assert.equal(loads, 0);

    table[Commands.installTemplate]!(toArgs(['a/b']));
    table[Commands.search]!(toArgs([]));
    assert.equal(await table[Commands.refresh]!(toArgs([])), 'refreshed');
    assert.equal(loads, 1);
    assert.deepEqual(calls, ['install a/b', 'search']);
  });

  it('says which command has no implementation in the loaded table', () => {
    const table = deferredCommands(ids, () => ({ [Commands.search]: () => undefined }));
    assert.throws(() => table[Commands.refresh]!(toArgs([])), /No implementation for the command templateMarketplace\.refresh/);
  });

  it('retries the load on the next call when it failed', () => {
    let loads = 0;
    const table = deferredCommands(ids, (): CommandTable => {
      loads++;
      if (loads === 1) throw new Error('Cannot find module ./commands.js');
      return { [Commands.search]: () => 'found' };
    });
    assert.throws(() => table[Commands.search]!(toArgs([])), /Cannot find module/);
    assert.equal(table[Commands.search]!(toArgs([])), 'found');
  });
});
