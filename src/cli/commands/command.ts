import type { CliIo } from '../io';

export interface Command {
  name: string;
  /** Arguments after the command name, e.g. `<dir> [--out <file.zip>]`. */
  usage: string;
  /** One line for the command list. */
  summary: string;
  /** More lines for `help <command>`. */
  details: string[];
  /** Returns the exit code; throws a MarketplaceError for a failure the user should read. */
  run(args: string[], io: CliIo): Promise<number>;
}
