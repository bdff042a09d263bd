/**
 * Hard limits of the marketplace format (see media/MARKETPLACE-FORMAT.md). A publisher must stay
 * within them and a client refuses anything beyond them, before spending memory on it.
 */
export const LIMITS = {
  /** Bytes of catalog.json (the whole envelope). */
  maxCatalogBytes: 8 * 1024 * 1024,
  /** Signatures in one catalog envelope (DSSE), all counted before any is verified. */
  maxEnvelopeSignatures: 16,
  /** Characters of one envelope signature's `keyid` and of its `sig`. */
  maxEnvelopeKeyIdLength: 256,
  maxEnvelopeSigLength: 256,
  /** Characters of the envelope's `payloadType`. */
  maxPayloadTypeLength: 256,
  /** JSON nesting depth of the catalog payload (`templates[].tags` is depth 4). */
  maxCatalogDepth: 8,
  /** Templates in one catalog. */
  maxTemplates: 5000,
  /** Bytes of one package zip, as downloaded. */
  maxPackageBytes: 8 * 1024 * 1024,
  /** Sum of the uncompressed sizes of a package's entries. */
  maxUnpackedBytes: 32 * 1024 * 1024,
  /** Entries (files and folders) in one package, template.json included. */
  maxFiles: 512,
  /** Bytes (UTF-8) of one entry path inside the zip. */
  maxPathBytes: 240,
  /** Folder depth of one entry path. */
  maxPathDepth: 16,
  /** Bytes of template.json. */
  maxManifestBytes: 64 * 1024,
  /** Variables one template may declare. */
  maxVariables: 32,
  /** Tags one template may carry. */
  maxTags: 20,
} as const;

export const CATALOG_PAYLOAD_TYPE = 'application/vnd.template-marketplace.catalog+json';
export const MANIFEST_NAME = 'template.json';
export const FILES_PREFIX = 'files/';
