import { readFile } from 'node:fs/promises';
import { NotFoundError } from '../core/errors';
import { parsePrivateKeyFile, type KeyPair } from '../core/format';
import { parseJsonBytes } from '../core/format/validate';

export async function readPrivateKey(file: string): Promise<KeyPair> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${file}: no such key file`);
    throw err;
  }
  return parsePrivateKeyFile(parseJsonBytes(bytes, file), file);
}
