import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { sha256Hex } from '../../core/format';
import { packTemplateDir } from '../../core/publish';
import { writeFileAtomic } from '../../core/util/atomicFile';
import { expectPositionals, parseCommandArgs } from '../args';
import type { Command } from './command';

export const pack: Command = {
  name: 'pack',
  usage: 'pack <dir> [--out <file.zip>]',
  summary: 'check a template folder and pack it into a package zip',
  details: [
    '<dir> holds template.json and files/. The zip is deterministic: the same folder always gives the',
    'same bytes. --out defaults to <id>-<version>.zip in the current folder.',
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { out: { type: 'string' } });
    const [dir] = expectPositionals(positionals, ['dir']);
    const { manifest, bytes } = await packTemplateDir(resolve(io.cwd, dir!));
    const out = resolve(io.cwd, values.out ?? `${manifest.id}-${manifest.version}.zip`);
    await mkdir(dirname(out), { recursive: true });
    await writeFileAtomic(out, bytes);
    io.out(`packed ${manifest.id} ${manifest.version}: ${out} (${bytes.length} bytes, sha256 ${sha256Hex(bytes)})`);
    return 0;
  },
};
