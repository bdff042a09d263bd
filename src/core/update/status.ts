import { compareSemver } from '../publish/semver';
import type { ProvenanceEntry } from '../provenance/types';

/**
 * How an installed template stands. Several can hold at once; the primary state is the first that
 * holds in this order. What upstream offers leads, because local drift is the normal life of a
 * template (it is a starting point, meant to be edited): an edited README must not hide an update.
 */
export type InstalledState = 'update-available' | 'not-in-catalog' | 'missing-files' | 'locally-modified' | 'up-to-date';

export interface InstalledStatus {
  state: InstalledState;
  flags: {
    /** The catalog lists a higher version. */
    updateAvailable: boolean;
    /** The catalog no longer lists the template (or its marketplace is gone). */
    notInCatalog: boolean;
    /** Recorded files that are not on disk any more. */
    missingFiles: boolean;
    /** Recorded files whose content differs from what was written. */
    locallyModified: boolean;
    /**
     * The catalog lists the installed version with a different package digest: the publisher
     * re-released a version, which a careful publisher never does. Worth showing.
     */
    republished: boolean;
  };
  installedVersion: string;
  /** The catalog's version, when it lists the template. */
  catalogVersion?: string;
  /** Paths, sorted. */
  missing: string[];
  modified: string[];
}

/** The catalog's current entry for the template: its version and package digest. */
export interface CatalogVersion {
  version: string;
  sha256: string;
}

/**
 * The status of one installed template, from its record entry, the catalog's current entry (or
 * undefined when the catalog no longer lists it) and the SHA-256 of each recorded file as it is now
 * (absent from the map, or undefined, when the file is missing). Pure; the caller hashes the files.
 */
export function installedStatus(entry: ProvenanceEntry, catalog: CatalogVersion | undefined, current: ReadonlyMap<string, string | undefined>): InstalledStatus {
  const missing: string[] = [];
  const modified: string[] = [];
  for (const f of entry.files) {
    const now = current.get(f.path);
    if (now === undefined) missing.push(f.path);
    else if (now !== f.sha256) modified.push(f.path);
  }
  const installedVersion = entry.template.version;
  const flags = {
    updateAvailable: catalog !== undefined && compareSemver(catalog.version, installedVersion) > 0,
    notInCatalog: catalog === undefined,
    missingFiles: missing.length > 0,
    locallyModified: modified.length > 0,
    republished: catalog !== undefined && compareSemver(catalog.version, installedVersion) === 0 && catalog.sha256 !== entry.template.sha256,
  };
  const state: InstalledState = flags.updateAvailable
    ? 'update-available'
    : flags.notInCatalog
      ? 'not-in-catalog'
      : flags.missingFiles
        ? 'missing-files'
        : flags.locallyModified
          ? 'locally-modified'
          : 'up-to-date';
  return { state, flags, installedVersion, ...(catalog ? { catalogVersion: catalog.version } : {}), missing: missing.sort(), modified: modified.sort() };
}
