import type { IntegrityError, SignatureError } from '../errors';
import { LIMITS } from '../format';
import type { Fetcher } from '../net/types';
import { keyOf, type ProvenanceEntry } from '../provenance';
import type { Verifier } from '../verify/verifier';

export type RecordedPackage =
  | { ok: true; bytes: Uint8Array }
  /** The marketplace answered something else than the package. */
  | { ok: false; status: number }
  /** It served other bytes, or bytes the recorded publisher did not sign with `publicKey`. */
  | { ok: false; error: SignatureError | IntegrityError };

/**
 * The package a record entry names, fetched from `path` and accepted only if it is exactly the
 * recorded package (its SHA-256) signed by the recorded publisher with `publicKey`, the key the
 * current trusted catalog lists for that publisher. Shared by updates (the merge base) and by
 * verify --installed, so the two never disagree about what "the recorded package" is.
 */
export async function fetchRecordedPackage(
  deps: { verifier: Verifier; fetcher: Fetcher },
  entry: ProvenanceEntry,
  publicKey: Uint8Array,
  path: string,
  signal: AbortSignal | undefined,
): Promise<RecordedPackage> {
  const res = await deps.fetcher.get(path, { maxBytes: LIMITS.maxPackageBytes, ...(signal ? { signal } : {}) });
  if (res.status !== 200) return { ok: false, status: res.status };
  const { sha256, signature } = entry.template;
  const verified = await deps.verifier.verify({ id: keyOf(entry), publicKey, sha256, signature, bytes: res.bytes, size: res.bytes.length });
  return verified.ok ? { ok: true, bytes: res.bytes } : { ok: false, error: verified.error };
}
