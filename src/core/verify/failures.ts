import { IntegrityError, SignatureError } from '../errors';

/**
 * The verifier's failure messages, in one place so they read alike. Each names the template, as
 * the user sees them in a notification that has no other context.
 */
export const failures = {
  badSignature: (id: string, keyid: string) =>
    new SignatureError(
      `template "${id}": signature does not verify against publisher key ${keyid.slice(0, 12)}…; ` +
        'the package was altered or signed by another key — it was not installed',
      id,
    ),
  uncheckable: (id: string, err: unknown) =>
    new SignatureError(`template "${id}": the signature could not be checked (${err instanceof Error ? err.message : String(err)})`, id),
  malformedSignature: (id: string) =>
    new SignatureError(`template "${id}": the catalog signature is not base64 of a 64-byte Ed25519 signature`, id),
  malformedPublicKey: (id: string, length: number) =>
    new SignatureError(`template "${id}": the publisher key is ${length} bytes, an Ed25519 public key is 32`, id),
  malformedDigest: (id: string) =>
    new IntegrityError(`template "${id}": the catalog SHA-256 is not 64 lowercase hex characters`, id),
  missingSize: (id: string) =>
    new IntegrityError(`template "${id}": the package bytes were given without the catalog size to check them against`, id),
  sizeMismatch: (id: string, actual: number, expected: number) =>
    new IntegrityError(`template "${id}": package is ${actual} bytes but the catalog says ${expected}`, id),
  digestMismatch: (id: string, expected: string, actual: string) =>
    new IntegrityError(`template "${id}": SHA-256 mismatch (expected ${expected.slice(0, 12)}…, got ${actual.slice(0, 12)}…)`, id),
};
