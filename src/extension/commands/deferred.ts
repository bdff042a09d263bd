import type { CommandId } from '../constants';
import type { CommandTable } from './index';

/**
 * Thin handlers for `ids` that build the real table (`load`, which requires dist/commands.js) on the
 * first call of any of them: activation registers every id at once, but compiles no command code.
 */
export function deferredCommands(ids: readonly CommandId[], load: () => CommandTable): CommandTable {
  let table: CommandTable | undefined;
  const handler = (id: CommandId): CommandTable[CommandId] => (args) => {
    table ??= load();
    const real = table[id];
    if (!real) throw new Error(`No implementation for the command ${id}`);
    return real(args);
  };
  return Object.fromEntries(ids.map((id) => [id, handler(id)])) as CommandTable;
}
