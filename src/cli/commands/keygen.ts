import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConflictError } from '../../core/errors';
import { generateKeyPair, toPrivateKeyFile, toPublicKeyFile, utf8 } from '../../core/format';
import { writeFileAtomic, writeFileExclusive } from '../../core/util/atomicFile';
import { expectPositionals, parseCommandArgs } from '../args';
import type { Command } from './command';

export const keygen: Command = {
  name: 'keygen',
  usage: 'keygen [--out <basename>]',
  summary: 'create an Ed25519 key pair for signing catalogs and packages',
  details: [
    'Writes <basename>.key.json (private, mode 0600; never overwritten) and <basename>.pub.json',
    '(public: give it to users to pin). <basename> defaults to "marketplace".',
  ],
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { out: { type: 'string' } });
    expectPositionals(positionals, []);
    const base = resolve(io.cwd, values.out ?? 'marketplace');
    const keyFile = `${base}.key.json`;
    const pubFile = `${base}.pub.json`;
    const key = generateKeyPair();
    await mkdir(dirname(base), { recursive: true });
    try {
      await writeFileExclusive(keyFile, toJson(toPrivateKeyFile(key)), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      throw new ConflictError(`${keyFile} already exists; refusing to overwrite a private key (move it away first)`, [keyFile]);
    }
    await writeFileAtomic(pubFile, toJson(toPublicKeyFile(key)));
    io.out(`private key: ${keyFile} (keep it secret)`);
    io.out(`public key:  ${pubFile}`);
    io.out(`keyid:       ${key.keyid}`);
    return 0;
  },
};

function toJson(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value, null, 2) + '\n');
}
