import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceConfig } from './catalog/types';

/**
 * The embedded sample marketplace (media/sample-marketplace), the default source so that the
 * extension and the CLI work offline on first start. Its catalog key is pinned here, in code,
 * rather than read from the folder: a key that travels with the data it vouches for proves nothing.
 */
export const SAMPLE_SOURCE_ID = 'samples';
export const SAMPLE_PUBLIC_KEY = 'kzVHvmpJev/QzNvLxQlDrZvOltvkDRNnBrpE/4DISg8=';

export function sampleSource(marketplaceDir: string): SourceConfig {
  return { id: SAMPLE_SOURCE_ID, url: pathToFileURL(marketplaceDir + '/').href, publicKey: SAMPLE_PUBLIC_KEY };
}

/** Finds media/sample-marketplace above `from` (the bundle in dist/, or the sources under tsx). */
export function findSampleMarketplace(from: string): string | undefined {
  for (let dir = from, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'media', 'sample-marketplace');
    if (existsSync(join(candidate, 'catalog.json'))) return candidate;
  }
  return undefined;
}
