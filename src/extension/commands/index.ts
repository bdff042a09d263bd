import * as vscode from 'vscode';
import type { CommandId } from '../constants';
import { describeError } from '../log';
import type { Services } from '../services';
import { loadCommands } from './loadCommands';

/**
 * A command handler. Menus call it with the clicked node and, in a multi-select tree, the whole
 * selection; the palette calls it with nothing. `selection` is normalised here, once.
 */
export type CommandHandler = (args: CommandArgs) => unknown;

export interface CommandArgs {
  /** The node or value the command was invoked on (context menu, inline action, executeCommand). */
  readonly target: unknown;
  /** Every selected node when invoked from a multi-select tree, else `[target]` or `[]`. */
  readonly selection: readonly unknown[];
  /** Every raw argument, for commands that take more (e.g. e2e-supplied answers). */
  readonly raw: readonly unknown[];
}

export type CommandTable = Partial<Record<CommandId, CommandHandler>>;

export function toArgs(raw: unknown[]): CommandArgs {
  const [target, second] = raw;
  const selection = Array.isArray(second) && second.length > 0 ? second : target === undefined ? [] : [target];
  return { target, selection, raw };
}

/**
 * Registers every handler of the table through one wrapper: errors become one actionable
 * notification (ui/errors.ts) and a log line, never a stack trace; cancellation is silent.
 */
export function registerCommands(table: CommandTable, services: Services): vscode.Disposable[] {
  return Object.entries(table).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...raw: unknown[]) => {
      try {
        return await handler!(toArgs(raw));
      } catch (err) {
        if ((err as { code?: unknown }).code === 'E_ABORTED') {
          services.log.info(`${id}: cancelled`);
          return undefined;
        }
        services.log.error(`${id}: ${describeError(err)}`);
        // ui/errors.ts is in the deferred bundle: activation never shows an error.
        void loadCommands().showError(err, services, () => vscode.commands.executeCommand(id, ...raw));
        return undefined;
      }
    }),
  );
}
