import { readFile } from 'node:fs/promises';
import { FormatError, NotFoundError } from '../core/errors';
import { parsePrivateKeyFile, utf8, type KeyPair } from '../core/format';

export async function readPrivateKey(file: string): Promise<KeyPair> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`${file}: no such key file`);
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new FormatError(`is not valid UTF-8 JSON (${(err as Error).message})`, file, undefined, { cause: err });
  }
  return parsePrivateKeyFile(value, file);
}
