/**
 * The provenance record: `.template-marketplace.json` in the folder templates were installed into,
 * meant to be committed, saying what was installed from where and what each written file contained.
 * The format is specified in media/PROVENANCE-FORMAT.md.
 */

export const PROVENANCE_FILE = '.template-marketplace.json';
export const PROVENANCE_SCHEMA_VERSION = 1;

/** Caps a reader enforces before trusting a record (it may come from a cloned, hostile repository). */
export const PROVENANCE_LIMITS = {
  /** Bytes of the whole record file. */
  maxBytes: 4 * 1024 * 1024,
  /** Installed templates in one record. */
  maxEntries: 1000,
  /** Files recorded for one template (a package holds at most 512 entries). */
  maxFiles: 512,
  /** Variable answers recorded for one template (a manifest declares at most 32). */
  maxVariables: 32,
  /** Characters of one variable answer. */
  maxValueLength: 4096,
  /** Bytes (UTF-8) of one recorded path, and its folder depth: the package limits. */
  maxPathBytes: 240,
  maxPathDepth: 16,
  /** Characters of the marketplace URL. */
  maxUrlLength: 2048,
} as const;

/** Where a template came from: the marketplace and the key its catalog was verified with. */
export interface ProvenanceMarketplace {
  /** The source id the client was configured with (`<source>/<template>` refs). */
  id: string;
  /** The marketplace root URL, never with credentials. */
  url: string;
  /** Key id (SHA-256 hex of the public key) that verified the catalog. */
  catalogKeyId: string;
}

/** Exactly which package was installed, as the signed catalog described it. */
export interface ProvenanceTemplate {
  id: string;
  version: string;
  /** SHA-256 hex of the package zip. */
  sha256: string;
  /** Key id of the publisher key that signed the package. */
  publisherKeyId: string;
  /** Base64 Ed25519 signature over the package, as listed in the catalog. */
  signature: string;
}

/** One file the install wrote. */
export interface ProvenanceFile {
  /** Relative to the folder holding the record, "/"-separated, NFC; see normalizeRecordPath. */
  path: string;
  /** SHA-256 hex of the rendered content as written: the merge base of the next update. */
  sha256: string;
}

/** One installed template. Keyed by marketplace id + template id. */
export interface ProvenanceEntry {
  marketplace: ProvenanceMarketplace;
  template: ProvenanceTemplate;
  /** ISO 8601 UTC times: when it was (last) installed, and when its signature was last checked. */
  installedAt: string;
  verifiedAt: string;
  /** The variable answers used to render it (every declared variable, defaults included). */
  variables: Record<string, string>;
  /** Sorted by path. */
  files: ProvenanceFile[];
}

export interface ProvenanceRecord {
  schemaVersion: typeof PROVENANCE_SCHEMA_VERSION;
  /** Sorted by marketplace id, then template id; at most one per key. */
  entries: ProvenanceEntry[];
}
