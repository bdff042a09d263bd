// The disk-hit arms that are not npm's: the engine's disk tier as PackageStore reads a package, and
// the floor, the fastest whole-file read Node has plus one SHA-256 (as in cache.bench.ts).
import { readFile as readFileCallback } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DiskCache } from '../../../src/core/cache';
import { PackageStore } from '../../../src/core/client/packageStore';
import { sha256Hex, type TemplateEntry } from '../../../src/core/format';
import type { MarketplaceFixture } from '../../helpers/marketplaceFixture';
import { concurrently, timed } from './concurrently';

const readFileFast = promisify(readFileCallback);

/** The disk tier of an engine cache folder (as MarketplaceClient opens it), for reads only. */
export function openEngineDisk(cacheDir: string): Promise<DiskCache> {
  return DiskCache.open({ dir: join(cacheDir, 'cache'), maxBytes: 1024 ** 3, ttlMs: 3_600_000 });
}

/** Every package read back from the disk tier with the digest and size the catalog gives, as PackageStore does (the digest is checked on read). */
export function engineDiskReads(disk: DiskCache, templates: readonly TemplateEntry[], concurrency = 8): Promise<number> {
  return timed(() =>
    concurrently(templates, concurrency, async (t) => {
      const hit = await disk.get(PackageStore.key(t), { sha256: t.sha256, size: t.size });
      if (!hit || hit.bytes.byteLength !== t.size) throw new Error(`engine disk tier missed ${t.path}`);
    }),
  );
}

/** Stores every package of `fixture` in the disk tier as a cold batch does (PackageStore's key, the digest handed over). */
export async function fillEngineDisk(disk: DiskCache, fixture: MarketplaceFixture): Promise<void> {
  for (const t of fixture.catalog.templates) {
    const stored = await disk.set(PackageStore.key(t), fixture.packages.get(t.id)!, { sha256: t.sha256 });
    if (stored.storedBytes === 0) throw new Error(`the disk tier did not store ${t.path}`);
  }
}

/** The packages as plain files named by their digest, for the floor to read. */
export async function writePlainFiles(fixture: MarketplaceFixture): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-plain-'));
  for (const t of fixture.catalog.templates) await writeFile(join(dir, t.sha256), fixture.packages.get(t.id)!);
  return dir;
}

/** The floor: `readFile` + SHA-256 of each package, compared with the catalog's. */
export function floorReads(dir: string, templates: readonly TemplateEntry[], concurrency = 8): Promise<number> {
  return timed(() =>
    concurrently(templates, concurrency, async (t) => {
      if (sha256Hex(await readFileFast(join(dir, t.sha256))) !== t.sha256) throw new Error(`floor read other bytes for ${t.path}`);
    }),
  );
}
