import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseProvenance, serializeProvenance } from '../../../src/core/provenance';

describe('media/PROVENANCE-FORMAT.md', () => {
  it('has an example that parses and is byte-for-byte what a writer produces', async () => {
    const doc = await readFile(new URL('../../../media/PROVENANCE-FORMAT.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the document has a ```json example');
    assert.equal(serializeProvenance(parseProvenance(example)), example);
  });

  it('is linked from media/MARKETPLACE-FORMAT.md', async () => {
    const doc = await readFile(new URL('../../../media/MARKETPLACE-FORMAT.md', import.meta.url), 'utf8');
    assert.ok(doc.includes('(PROVENANCE-FORMAT.md)'));
  });
});
