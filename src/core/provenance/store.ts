import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError } from '../errors';
import { syncDir, writeFileAtomic } from '../util/atomicFile';
import { emptyProvenance } from './entries';
import { parseProvenance } from './parse';
import { serializeProvenanceBytes } from './serialize';
import { PROVENANCE_FILE, PROVENANCE_LIMITS, type ProvenanceRecord } from './types';

/**
 * Reads `<dir>/.template-marketplace.json`; a folder without one has an empty record. The file is
 * read up to the size cap only, and a symbolic link is refused rather than followed (a cloned
 * repository could point it anywhere).
 */
export async function readProvenance(dir: string): Promise<ProvenanceRecord> {
  const file = join(dir, PROVENANCE_FILE);
  let info;
  try {
    info = await lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyProvenance();
    throw err;
  }
  if (!info.isFile()) throw new FormatError('is not a regular file (a link or folder is never followed)', PROVENANCE_FILE);
  const handle = await open(file, 'r');
  try {
    // One byte past the cap is enough to tell "too large" without reading a huge file.
    const buf = new Uint8Array(PROVENANCE_LIMITS.maxBytes + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, size, buf.length - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size === buf.length) break;
    }
    return parseProvenance(buf.subarray(0, size), PROVENANCE_FILE);
  } finally {
    await handle.close();
  }
}

/**
 * Writes the record atomically (temp file, flush, rename, folder sync): a crash leaves the old
 * record or the new one, never half of it. Renaming replaces a link at that name, never its target.
 */
export async function writeProvenance(dir: string, record: ProvenanceRecord): Promise<void> {
  await writeFileAtomic(join(dir, PROVENANCE_FILE), serializeProvenanceBytes(record));
  await syncDir(dir);
}
