import { expectPositionals, parseCommandArgs } from '../args';
import { UsageError } from '../../core/errors';
import type { Command } from './command';

const BIN = 'template-marketplace';

/** The command list, or one command's usage and details. */
export function helpText(commands: readonly Command[], name?: string): string {
  if (name === undefined) {
    const width = Math.max(...commands.map((c) => c.name.length));
    return [
      `usage: ${BIN} <command> [options]`,
      '',
      'commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      `Run "${BIN} help <command>" for a command's options.`,
    ].join('\n');
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"`);
  return [`usage: ${BIN} ${command.usage}`, '', command.summary, '', ...command.details].join('\n');
}

export function createHelpCommand(commands: readonly Command[]): Command {
  const help: Command = {
    name: 'help',
    usage: 'help [<command>]',
    summary: 'show the commands, or one command in detail',
    details: [],
    async run(args, io) {
      const { positionals } = parseCommandArgs(args, {});
      const [name] = positionals.length > 0 ? expectPositionals(positionals, ['command']) : [];
      io.out(helpText([...commands, help], name));
      return 0;
    },
  };
  return help;
}
