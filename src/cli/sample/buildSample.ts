import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError } from '../../core/errors';
import { utf8 } from '../../core/format';
import { packTemplateDir, publishPackages, type PublishResult } from '../../core/publish';
import { parseJsonBytes } from '../../core/format/validate';
import { readPrivateKey } from '../keyFiles';

/** The sample marketplace shipped with the extension; fixed inputs, so the build is reproducible. */
export const SAMPLE = {
  sourcesDir: 'media/sample-templates',
  outDir: 'media/sample-marketplace',
  /** A published sample key, not a secret: see media/sample-templates/README.md. */
  keyFile: 'media/sample-templates/sample-marketplace.key.json',
  downloadsFile: 'media/sample-templates/downloads.json',
  name: 'Template Marketplace Samples',
  publishedAt: new Date('2026-11-01T00:00:00Z'),
  /** Far away, so that the offline sample never expires. */
  expires: new Date('2099-12-31T00:00:00Z'),
  catalogVersion: 1,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Builds the sample marketplace from every template folder in `<repoRoot>/media/sample-templates`
 * into `outDir`, which must not exist yet or be empty.
 */
export async function buildSampleMarketplace(repoRoot: string, outDir: string): Promise<PublishResult> {
  const sourcesDir = join(repoRoot, SAMPLE.sourcesDir);
  const ids = await templateFolders(sourcesDir);
  const packages: Uint8Array[] = [];
  for (const id of ids) {
    const { manifest, bytes } = await packTemplateDir(join(sourcesDir, id));
    if (manifest.id !== id) throw new FormatError(`is "${manifest.id}", but the folder is named "${id}"`, join(sourcesDir, id, 'template.json'), 'id');
    packages.push(bytes);
  }
  return publishPackages({
    marketplaceDir: outDir,
    packages,
    catalogKey: await readPrivateKey(join(repoRoot, SAMPLE.keyFile)),
    now: SAMPLE.publishedAt,
    expiresInDays: (SAMPLE.expires.getTime() - SAMPLE.publishedAt.getTime()) / DAY_MS,
    name: SAMPLE.name,
    initialVersion: SAMPLE.catalogVersion,
    downloads: await readDownloads(join(repoRoot, SAMPLE.downloadsFile), new Set(ids)),
  });
}

/** Replaces folder `to` with folder `from`; `to` is missing only between two renames. */
export async function replaceDir(from: string, to: string): Promise<void> {
  const old = `${to}.old-${randomBytes(4).toString('hex')}`;
  try {
    await rename(to, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(from, to);
  await rm(old, { recursive: true, force: true });
}

/** Every folder is a template; dot folders (editor or VCS leftovers) are not. */
async function templateFolders(sourcesDir: string): Promise<string[]> {
  const entries = await readdir(sourcesDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** downloads.json: `{ "<id>": <count> }`. An id without a template folder is a typo, so it is refused. */
async function readDownloads(file: string, ids: ReadonlySet<string>): Promise<Record<string, number>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const value = parseJsonBytes(bytes, file);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('expected an object of template id -> count', file);
  for (const [id, count] of Object.entries(value)) {
    if (!ids.has(id)) throw new FormatError(`no template folder is named "${id}"`, file, id);
    if (!Number.isSafeInteger(count) || (count as number) < 0) throw new FormatError(`expected an integer ≥ 0, got ${JSON.stringify(count)}`, file, id);
  }
  return value as Record<string, number>;
}

/**
 * Installed copies of the extension remember the sample catalog version they accepted, and refuse
 * the same version with other content as a rollback. So a rebuild that changes the catalog must
 * raise `SAMPLE.catalogVersion`; this refuses one that does not, before the old copy is replaced.
 */
export async function checkVersionBump(previousDir: string, nextDir: string): Promise<void> {
  const read = async (dir: string) => {
    try {
      const envelope = JSON.parse(utf8.decode(await readFile(join(dir, 'catalog.json')))) as { payload: string };
      const payload = Buffer.from(envelope.payload, 'base64');
      return { payload, version: (JSON.parse(payload.toString('utf8')) as { version: number }).version };
    } catch {
      return undefined; // no readable previous catalog: nothing any installed copy could hold against this one
    }
  };
  const [previous, next] = [await read(previousDir), await read(nextDir)];
  if (!previous || !next || previous.payload.equals(next.payload)) return;
  if (next.version <= previous.version) {
    throw new FormatError(
      `the sample catalog changed but its version is still ${next.version} (was ${previous.version}): installed copies ` +
        'would refuse it as a rollback. Raise SAMPLE.catalogVersion in src/cli/sample/buildSample.ts and build again',
      join(nextDir, 'catalog.json'),
      'version',
    );
  }
}
