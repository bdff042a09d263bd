import type { IntegrityError } from '../errors';
import { sha256Hex } from '../format';
import { failures } from './failures';

/**
 * Checks that downloaded bytes are the package the catalog describes: the size first (free, and
 * it spares hashing a wrong download), then the SHA-256. Never cached: the next bytes may differ.
 */
export function checkPackageBinding(id: string, bytes: Uint8Array, size: number | undefined, sha256: string): IntegrityError | undefined {
  if (size === undefined) return failures.missingSize(id);
  if (bytes.length !== size) return failures.sizeMismatch(id, bytes.length, size);
  const actual = sha256Hex(bytes);
  return actual === sha256 ? undefined : failures.digestMismatch(id, sha256, actual);
}
