import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { VerifiedCatalog } from '../catalog/types';
import { AbortedError, MarketplaceError } from '../errors';
import type { Fetcher } from '../net/types';
import { keyOf, readProvenance, type ProvenanceEntry } from '../provenance';
import { packagePath } from '../publish/layout';
import { throwIfAborted } from '../util/abort';
import { displayText } from '../util/displayText';
import type { Verifier } from '../verify/verifier';
import { digestInside } from './installedFiles';
import { fetchRecordedPackage } from './recordedPackage';

/** One recorded template, re-checked. */
export interface InstalledCheck {
  key: string;
  version: string;
  /** True when every check passed. */
  ok: boolean;
  /** The recorded package, fetched and checked against the recorded SHA-256 and signature with the catalog's key. */
  package: { ok: true } | { ok: false; code: string; message: string };
  /** What the catalog, confirmed by the marketplace now, lists for the template. */
  catalog: { listed: false } | { listed: true; version: string };
  /** Recorded files whose content differs from the recorded digest, and recorded files that are gone. */
  modified: string[];
  missing: string[];
  /** Every problem in one sentence each (empty when ok). */
  problems: string[];
}

export interface InstalledVerification {
  dir: string;
  ok: boolean;
  entries: InstalledCheck[];
}

export interface VerifyInstalledDeps {
  /** The source's catalog revalidated with its marketplace now, its pinned key id and fetcher; undefined when not configured. */
  revalidated(sourceId: string, signal: AbortSignal | undefined): Promise<{ catalog: VerifiedCatalog; keyId: string; fetcher: Fetcher } | undefined>;
  verifier: Verifier;
}

/**
 * Re-checks what a folder's record claims: for each entry, the catalog is confirmed by the
 * marketplace now, the recorded catalog key must be the pinned one, the recorded package (its
 * versioned path) must be exactly the recorded SHA-256 signed by the recorded publisher with a key
 * the catalog lists, a catalog listing the same version must list the same package, and every
 * recorded file must still hold its recorded digest. Writes nothing.
 */
export async function verifyInstalled(deps: VerifyInstalledDeps, dir: string, opts: { signal?: AbortSignal } = {}): Promise<InstalledVerification> {
  const root = await realpath(resolve(dir));
  const record = await readProvenance(root);
  const entries: InstalledCheck[] = [];
  for (const entry of record.entries) {
    throwIfAborted(opts.signal);
    entries.push(await checkEntry(deps, root, entry, opts.signal));
  }
  return { dir: root, ok: entries.every((e) => e.ok), entries };
}

async function checkEntry(deps: VerifyInstalledDeps, root: string, entry: ProvenanceEntry, signal: AbortSignal | undefined): Promise<InstalledCheck> {
  const { id, version, sha256, publisherKeyId } = entry.template;
  const problems: string[] = [];
  const modified: string[] = [];
  const missing: string[] = [];
  for (const f of entry.files) {
    const now = await digestInside(root, f.path);
    if (now === undefined) missing.push(f.path);
    else if (now !== f.sha256) modified.push(f.path);
  }
  if (modified.length > 0) problems.push(`modified since installed: ${modified.join(', ')}`);
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);

  let pkg: InstalledCheck['package'];
  let catalog: InstalledCheck['catalog'] = { listed: false };
  try {
    const source = await deps.revalidated(entry.marketplace.id, signal);
    if (!source) throw new CheckFailure('E_NOT_FOUND', `the marketplace "${entry.marketplace.id}" (${entry.marketplace.url}) is not configured`);
    if (source.keyId !== entry.marketplace.catalogKeyId) {
      problems.push(`the record says the catalog was verified with key ${entry.marketplace.catalogKeyId.slice(0, 12)}…, but the pinned key is ${source.keyId.slice(0, 12)}…`);
    }
    const listed = source.catalog.catalog.templates.find((t) => t.id === id);
    if (listed) {
      catalog = { listed: true, version: listed.version };
      if (listed.version === version && listed.sha256 !== sha256) problems.push(`the catalog lists ${version} with another package (${listed.sha256.slice(0, 12)}…) than the recorded one (${sha256.slice(0, 12)}…)`);
    }
    const publicKey = source.catalog.publisherKeys.get(publisherKeyId);
    if (!publicKey) throw new CheckFailure('E_SIGNATURE', `the publisher key ${publisherKeyId.slice(0, 12)}… that signed it is not in the catalog`);
    // The catalog's path while it lists this version; else where publish keeps every version.
    const path = listed?.version === version ? listed.path : packagePath(id, version);
    const recorded = await fetchRecordedPackage({ verifier: deps.verifier, fetcher: source.fetcher }, entry, publicKey, path, signal);
    if ('status' in recorded) throw new CheckFailure('E_HTTP', `unexpected ${recorded.status} for the package`);
    if ('error' in recorded) throw new CheckFailure(recorded.error.code, recorded.error.message);
    pkg = { ok: true };
  } catch (err) {
    if (err instanceof AbortedError || signal?.aborted) throw err;
    const code = err instanceof MarketplaceError || err instanceof CheckFailure ? err.code : 'E_INTERNAL';
    const message = displayText(String((err as Error)?.message ?? err), { maxLength: 500 });
    pkg = { ok: false, code, message };
    problems.push(`package ${id} ${version}: error[${code}]: ${message}`);
  }
  return { key: keyOf(entry), version, ok: problems.length === 0, package: pkg, catalog, modified, missing, problems };
}

class CheckFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
