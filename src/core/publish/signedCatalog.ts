import { readFile } from 'node:fs/promises';
import { SignatureError } from '../errors';
import { verifyCatalogBytes } from '../catalog/verifyCatalog';
import { CATALOG_PAYLOAD_TYPE, serializeCatalog, signEnvelope, utf8, type Catalog, type KeyPair } from '../format';

/** The bytes of catalog.json: the catalog, serialized deterministically and wrapped in a DSSE envelope. */
export function signCatalog(catalog: Catalog, key: KeyPair): Uint8Array {
  const envelope = signEnvelope(CATALOG_PAYLOAD_TYPE, serializeCatalog(catalog), [key]);
  return utf8.encode(JSON.stringify(envelope, null, 2) + '\n');
}

/** Verifies catalog.json bytes with `key` and parses the payload, exactly the way a client does. */
export function openCatalog(bytes: Uint8Array, key: Pick<KeyPair, 'keyid' | 'publicKey'>, file = 'catalog.json'): Catalog {
  return verifyCatalogBytes(bytes, new Map([[key.keyid, key.publicKey]]), file).catalog;
}

/**
 * Reads the catalog a marketplace folder already has, or undefined for a new marketplace (`known`:
 * its bytes, already read). A catalog that does not verify with the catalog key is refused rather
 * than silently replaced.
 */
export async function readExistingCatalog(file: string, key: KeyPair, known?: Uint8Array): Promise<Catalog | undefined> {
  let bytes: Uint8Array;
  if (known) {
    bytes = known;
  } else {
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  try {
    return openCatalog(bytes, key, file);
  } catch (err) {
    if (!(err instanceof SignatureError)) throw err;
    throw new SignatureError(
      `${err.message}. Refusing to publish over it: use the key that signed it (this key is ${key.keyid.slice(0, 12)}…)`,
      file,
    );
  }
}
