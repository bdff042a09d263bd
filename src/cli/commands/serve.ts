import { resolve } from 'node:path';
import { expectPositionals, integerOption, parseCommandArgs } from '../args';
import { startStaticServer } from '../serve/staticServer';
import type { Command } from './command';

export const serve: Command = {
  name: 'serve',
  usage: 'serve <dir> [--port N] [--host H]',
  summary: 'serve a marketplace folder over HTTP for local testing',
  details: [
    'Listens on 127.0.0.1 and a free port unless told otherwise, and prints the URL to add as a source.',
    'Supports ETag / If-None-Match and Last-Modified / If-Modified-Since. Stops on Ctrl+C (SIGINT) or SIGTERM.',
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { port: { type: 'string' }, host: { type: 'string' } });
    const [dir] = expectPositionals(positionals, ['dir']);
    const root = resolve(io.cwd, dir!);
    const port = integerOption(values.port, '--port', { min: 0, max: 65535 });
    const server = await startStaticServer({ root, port, host: values.host });
    io.out(`serving ${root} at ${server.url}`);
    io.out('press Ctrl+C to stop');
    await io.untilStopped();
    await server.close();
    io.out('stopped');
    return 0;
  },
};
