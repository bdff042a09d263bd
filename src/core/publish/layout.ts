/** Where things live in a marketplace folder (see media/MARKETPLACE-FORMAT.md). */
export const CATALOG_FILE = 'catalog.json';
export const PUBLIC_KEY_FILE = 'marketplace.pub.json';
export const PACKAGES_DIR = 'packages';

/** A package's path below the marketplace root; one path per version, so its URL never changes content. */
export function packagePath(id: string, version: string): string {
  return `${PACKAGES_DIR}/${id}-${version}.zip`;
}
