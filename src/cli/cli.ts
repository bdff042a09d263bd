import { MarketplaceError, UsageError } from '../core/errors';
import { displayText } from '../core/util/displayText';
import { buildSample } from './commands/buildSample';
import type { Command } from './commands/command';
import { createHelpCommand, helpText } from './commands/help';
import { install } from './commands/install';
import { keygen } from './commands/keygen';
import { pack } from './commands/pack';
import { publish } from './commands/publish';
import { search } from './commands/search';
import { serve } from './commands/serve';
import { stats } from './commands/stats';
import { status } from './commands/status';
import { trust } from './commands/trust';
import { update } from './commands/update';
import { verify } from './commands/verify';
import { processIo, type CliIo } from './io';

const COMMANDS: readonly Command[] = [search, install, status, update, verify, stats, trust, keygen, pack, publish, serve, buildSample];
const ALL: readonly Command[] = [...COMMANDS, createHelpCommand(COMMANDS)];

/**
 * Runs one command and returns the exit code: 0 on success, 1 when the command failed (the error
 * is printed as `error[E_CODE]: message`), 2 on a usage error (printed with the usage).
 */
export async function main(argv: string[], rawIo: CliIo = processIo()): Promise<number> {
  const io = neutralizing(rawIo);
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(helpText(ALL));
    return 2;
  }
  const command = ALL.find((c) => c.name === name) ?? (name === '--help' || name === '-h' ? ALL.at(-1) : undefined);
  if (!command) {
    io.err(`error[E_USAGE]: unknown command "${name}"\n`);
    io.err(helpText(ALL));
    return 2;
  }
  if (asksForHelp(args)) {
    io.out(helpText(ALL, command.name));
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    return report(err, command, io);
  }
}

/**
 * Every command answers `--help` and `-h` with its usage, whatever else is on the line (a usage
 * error included). Only a flag of its own counts: not after `--`, not the value of `--var`.
 */
function asksForHelp(args: readonly string[]): boolean {
  for (const [i, arg] of args.entries()) {
    if (arg === '--') return false;
    if ((arg === '--help' || arg === '-h') && !(i > 0 && VALUE_FLAGS.test(args[i - 1]!))) return true;
  }
  return false;
}

/** Options that take the next argument as their value, which may itself look like "-h". */
const VALUE_FLAGS =
  /^--(?:var|source|key|cache|dir|conflict|out|on-conflict|concurrency|deadline|min-speed|min-speed-window|expires-days|publisher-key|wait-seconds|category|host|limit|name|port|sort|tag)$/;

/**
 * The CLI's one output boundary: every line any command writes (catalog names and descriptions,
 * file names from packages, error messages quoting servers) passes through displayText, so no
 * control, bidi or zero-width character reaches the terminal raw. Line breaks between lines stay.
 */
function neutralizing(io: CliIo): CliIo {
  return {
    ...io,
    out: (line) => io.out(displayText(line, { keepNewlines: true })),
    err: (line) => io.err(displayText(line, { keepNewlines: true })),
  };
}

function report(err: unknown, command: Command, io: CliIo): number {
  if (err instanceof UsageError) {
    io.err(`error[${err.code}]: ${err.message}\n`);
    io.err(`usage: template-marketplace ${command.usage}`);
    return 2;
  }
  if (err instanceof MarketplaceError) {
    io.err(`error[${err.code}]: ${err.message}`);
    return 1;
  }
  // A system error (EACCES, ENOSPC, …): its message already names the path.
  const { code, message } = err instanceof Error ? (err as NodeJS.ErrnoException) : { code: undefined, message: String(err) };
  io.err(`error${code ? `[${code}]` : ''}: ${message}`);
  return 1;
}
