import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, FormatError, RollbackError } from '../errors';
import {
  parseCatalogBytes, readPackage, serializeCatalog, sha256Hex, signPackageDigest, toBase64, toPublicKeyFile, utf8,
  type Catalog, type KeyPair, type TemplateEntry, type TemplateManifest,
} from '../format';
import { ATOMIC_TEMP, syncDir, writeFileAtomic } from '../util/atomicFile';
import { CATALOG_FILE, PACKAGES_DIR, PUBLIC_KEY_FILE, packagePath } from './layout';
import { acquireLock, LOCK_FILE, type HeldLock, type LockOptions } from './lock';
import { compareSemver } from './semver';
import { readExistingCatalog, signCatalog } from './signedCatalog';

export interface PublishOptions {
  marketplaceDir: string;
  /** Package zips, e.g. from `packTemplateDir`. Each is fully validated before anything is written. */
  packages: Uint8Array[];
  /** Signs catalog.json; an existing catalog must verify with it. */
  catalogKey: KeyPair;
  /** Signs the packages published now; defaults to the catalog key. */
  publisherKey?: KeyPair;
  now?: Date;
  /** Default 30. */
  expiresInDays?: number;
  /** The catalog's display name; an existing catalog keeps its name when omitted. */
  name?: string;
  /** Download counts by template id; an entry not listed here keeps its count. */
  downloads?: Record<string, number>;
  /** The version of a new marketplace's first catalog; default 1. */
  initialVersion?: number;
  /** Waiting for another publish to the same folder (see lock.ts). */
  lock?: LockOptions;
}

export interface PublishResult {
  catalog: Catalog;
  /** Template ids, in the order their packages were given. */
  added: string[];
  updated: string[];
  unchanged: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Adds or updates packages in a marketplace folder and re-signs its catalog. Versions are immutable
 * and only go up. Every file is replaced atomically and catalog.json is written last, so a crash at
 * any point leaves the previous catalog, or the new one with all of its packages in place.
 *
 * Concurrent publishes to one folder are serialized by a lock file (`.publish.lock`, see lock.ts),
 * and the catalog is only replaced if it is still the one this publish read (compare and swap),
 * so no run's update is ever lost: a run that finds the catalog changed under it refuses.
 */
export async function publishPackages(opts: PublishOptions): Promise<PublishResult> {
  const now = opts.now ?? new Date();
  const expiresInDays = opts.expiresInDays ?? 30;
  if (!(expiresInDays > 0 && Number.isFinite(expiresInDays))) throw new FormatError('must be a positive number of days', undefined, 'expiresInDays');
  const initialVersion = opts.initialVersion ?? 1;
  if (!Number.isSafeInteger(initialVersion) || initialVersion < 1) throw new FormatError('must be an integer ≥ 1', undefined, 'initialVersion');
  const downloads = checkDownloads(opts.downloads ?? {});
  // Every package is read and checked before the folder is touched or the lock taken.
  const manifests = opts.packages.map((bytes, i) => readPackage(bytes, `package #${i + 1}`).manifest);
  manifests.forEach((m, i) => {
    if (manifests.findIndex((other) => other.id === m.id) < i) {
      throw new ConflictError(`package #${i + 1}: ${m.id} is given twice; publish one version of a template at a time`, [m.id]);
    }
  });
  await mkdir(opts.marketplaceDir, { recursive: true });
  const lock = await acquireLock(opts.marketplaceDir, opts.lock);
  try {
    return await publishLocked(opts, { now, expiresInDays, initialVersion, downloads, manifests }, lock);
  } finally {
    await lock.release();
  }
}

interface Checked {
  now: Date;
  expiresInDays: number;
  initialVersion: number;
  downloads: Record<string, number>;
  manifests: TemplateManifest[];
}

async function publishLocked(opts: PublishOptions, { now, expiresInDays, initialVersion, downloads, manifests }: Checked, lock: HeldLock): Promise<PublishResult> {
  const publisher = opts.publisherKey ?? opts.catalogKey;
  // Holding the lock, any temp file of ours is a dead publisher's: it would be served otherwise.
  await sweepTemps(opts.marketplaceDir);
  await sweepTemps(join(opts.marketplaceDir, PACKAGES_DIR));
  const catalogFile = join(opts.marketplaceDir, CATALOG_FILE);
  const basis = await readCatalogBytes(catalogFile);
  const previous = basis ? await readExistingCatalog(catalogFile, opts.catalogKey, basis) : undefined;

  const before: ReadonlyMap<string, TemplateEntry> = new Map(previous?.templates.map((t) => [t.id, t]));
  const listed = new Map(before);
  const result: Omit<PublishResult, 'catalog'> = { added: [], updated: [], unchanged: [] };
  const packages: PackageFile[] = [];
  opts.packages.forEach((bytes, i) => {
    const plan = planPackage(bytes, manifests[i]!, before, publisher, isoTime(now));
    result[plan.outcome].push(plan.entry.id);
    listed.set(plan.entry.id, plan.entry);
    packages.push({ id: plan.entry.id, path: plan.entry.path, bytes });
  });

  const templates = [...listed.values()].map((t) => (Object.hasOwn(downloads, t.id) ? { ...t, downloads: downloads[t.id]! } : t));
  // Only keys that sign a listed package are trusted, so a retired key stops counting at once.
  const keys = new Map([...Object.entries(previous?.publishers ?? {}), [publisher.keyid, toBase64(publisher.publicKey)]]);
  const signers = new Set(templates.map((t) => t.publisher));
  const name = opts.name ?? previous?.name;
  // Never sign something a client would refuse (too many templates, a field out of range, …).
  const catalog = parseCatalogBytes(serializeCatalog({
    ...(name !== undefined ? { name } : {}),
    version: previous ? previous.version + 1 : initialVersion,
    expires: isoTime(new Date(now.getTime() + expiresInDays * DAY_MS)),
    publishers: Object.fromEntries([...keys].filter(([keyid]) => signers.has(keyid))),
    templates,
  }));
  await writeMarketplace(opts.marketplaceDir, packages, catalog, opts.catalogKey, async () => {
    // Right before the catalog is replaced: still ours, and still the catalog this run started from.
    await lock.assertHeld();
    const current = await readCatalogBytes(catalogFile);
    if (!sameBytes(current, basis)) {
      throw new ConflictError(
        `${catalogFile} changed while this publish ran (another publisher that does not take ${LOCK_FILE}?); the catalog was not replaced. Publish again.`,
        [catalogFile],
      );
    }
  });
  return { catalog, ...result };
}

/** Removes the temp files writeFileAtomic (util/atomicFile.ts) leaves when its process dies. */
async function sweepTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) if (ATOMIC_TEMP.test(name)) await rm(join(dir, name), { force: true });
}

/** catalog.json's bytes, or undefined for a new marketplace. */
async function readCatalogBytes(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

interface PackageFile {
  id: string;
  /** Relative to the marketplace root. */
  path: string;
  bytes: Uint8Array;
}

/** Checks one package against the listed entry for its id and returns the entry to list. */
function planPackage(
  bytes: Uint8Array,
  manifest: TemplateManifest,
  listed: ReadonlyMap<string, TemplateEntry>,
  publisher: KeyPair,
  updatedAt: string,
): { outcome: 'added' | 'updated' | 'unchanged'; entry: TemplateEntry } {
  const { id, version } = manifest;
  const sha256 = sha256Hex(bytes);
  const prior = listed.get(id);
  if (prior) {
    const order = compareSemver(version, prior.version);
    if (order < 0) throw new RollbackError(`${id} ${version} is lower than the listed version ${prior.version}; versions only go up`);
    if (order === 0 && version === prior.version && sha256 === prior.sha256) return { outcome: 'unchanged', entry: prior };
    if (order === 0) {
      throw new ConflictError(
        `${id} ${version} is already published with different content (listed: ${prior.version}, sha256 ${prior.sha256.slice(0, 12)}…); ` +
          'versions are immutable: publish a higher version',
        [prior.path],
      );
    }
  }
  const entry: TemplateEntry = {
    id, version, name: manifest.name, description: manifest.description, category: manifest.category,
    tags: manifest.tags, author: manifest.author, downloads: prior?.downloads ?? 0, updatedAt, size: bytes.length,
    sha256, path: packagePath(id, version), publisher: publisher.keyid, signature: signPackageDigest(sha256, publisher.secretKey),
  };
  return { outcome: prior ? 'updated' : 'added', entry };
}

/** Packages first, each flushed, then the public key file, then the catalog that points to them. */
async function writeMarketplace(
  dir: string,
  packages: readonly PackageFile[],
  catalog: Catalog,
  catalogKey: KeyPair,
  beforeCatalog: () => Promise<void>,
): Promise<void> {
  // Check every package path before writing any, so a refusal leaves the folder as it was.
  const missing: PackageFile[] = [];
  for (const pkg of packages) if (await isMissing(dir, pkg.path, pkg.bytes)) missing.push(pkg);
  await mkdir(join(dir, PACKAGES_DIR), { recursive: true });
  for (const { path, bytes } of missing) await writeFileAtomic(join(dir, path), bytes);
  await syncDir(join(dir, PACKAGES_DIR));
  await writeFileAtomic(join(dir, PUBLIC_KEY_FILE), utf8.encode(JSON.stringify(toPublicKeyFile(catalogKey), null, 2) + '\n'));
  const signed = signCatalog(catalog, catalogKey);
  await beforeCatalog();
  await writeFileAtomic(join(dir, CATALOG_FILE), signed);
  await syncDir(dir);
}

/**
 * True when a package still has to be written. The same bytes already there are fine (an unchanged
 * template, or a publish that crashed before its catalog); different bytes at a version's path are refused.
 */
async function isMissing(root: string, path: string, bytes: Uint8Array): Promise<boolean> {
  const file = join(root, path);
  let existing: Buffer;
  try {
    existing = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  if (!existing.equals(bytes)) {
    throw new ConflictError(`${file} already exists with different content; a published version never changes: publish a higher version`, [file]);
  }
  return false;
}

function checkDownloads(downloads: Record<string, number>): Record<string, number> {
  for (const [id, count] of Object.entries(downloads)) {
    if (!Number.isSafeInteger(count) || count < 0) throw new FormatError(`expected an integer ≥ 0, got ${JSON.stringify(count)}`, undefined, `downloads.${id}`);
  }
  return downloads;
}

/** ISO 8601 UTC, without the milliseconds when they are zero: 2026-11-01T00:00:00Z. */
function isoTime(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
