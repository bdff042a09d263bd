import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  PROVENANCE_FILE,
  PROVENANCE_LIMITS,
  digestOf,
  emptyProvenance,
  findEntry,
  normalizeRecordPath,
  parseProvenance,
  readProvenance,
  recordFiles,
  removeEntry,
  serializeProvenance,
  upsertEntry,
  writeProvenance,
  type ProvenanceEntry,
} from '../../../src/core/provenance';

const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);
const SIG = `${'A'.repeat(86)}==`;

function entry(over: { marketplace?: string; template?: string; version?: string; files?: ProvenanceEntry['files']; variables?: Record<string, string> } = {}): ProvenanceEntry {
  return {
    marketplace: { id: over.marketplace ?? 'acme', url: 'https://templates.example.com/', catalogKeyId: HEX_A },
    template: { id: over.template ?? 'readme-basic', version: over.version ?? '1.0.0', sha256: HEX_B, publisherKeyId: HEX_A, signature: SIG },
    installedAt: '2026-01-31T12:00:00Z',
    verifiedAt: '2026-01-31T12:00:01.250Z',
    variables: over.variables ?? { project: 'demo', license: 'MIT' },
    files: over.files ?? [{ path: 'README.md', sha256: HEX_A }, { path: 'docs/guide.md', sha256: HEX_B }],
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests corrupt arbitrary fields
type Loose = Record<string, any>;

function json(value: unknown): string {
  return JSON.stringify(value);
}

function expectFormatError(input: string | Uint8Array, field: RegExp | string | undefined, message?: RegExp): void {
  assert.throws(
    () => parseProvenance(input),
    (err: Error & { code?: string; field?: string }) => {
      assert.equal(err.code, 'E_FORMAT', err.message);
      if (typeof field === 'string') assert.equal(err.field, field, err.message);
      else if (field) assert.match(err.field ?? '', field, err.message);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

describe('provenance record: parse and serialize', () => {
  it('round-trips: serialize(parse(serialize(r))) is byte-identical, sorted, with a trailing newline', () => {
    let record = upsertEntry(emptyProvenance(), entry({ template: 'zeta' }));
    record = upsertEntry(record, entry({ template: 'alpha' }));
    record = upsertEntry(record, entry({ marketplace: 'aaa', template: 'zeta' }));
    const text = serializeProvenance(record);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(parseProvenance(text), record);
    assert.equal(serializeProvenance(parseProvenance(text)), text);
    assert.deepEqual(record.entries.map((e) => `${e.marketplace.id}/${e.template.id}`), ['aaa/zeta', 'acme/alpha', 'acme/zeta']);
    // Keys sorted at every level: "entries" before "schemaVersion", "catalogKeyId" before "id".
    assert.ok(text.indexOf('"entries"') < text.indexOf('"schemaVersion"'));
    assert.ok(text.indexOf('"catalogKeyId"') < text.indexOf('"id"'));
    assert.ok(text.indexOf('"license"') < text.indexOf('"project"'));
  });

  it('serializes the same content to the same bytes whatever the insertion order', () => {
    const a = upsertEntry(upsertEntry(emptyProvenance(), entry({ template: 'one' })), entry({ template: 'two' }));
    const reversedFiles = entry({ template: 'one' });
    reversedFiles.files.reverse();
    const b = upsertEntry(upsertEntry(emptyProvenance(), entry({ template: 'two' })), reversedFiles);
    assert.equal(serializeProvenance(a), serializeProvenance(b));
  });

  it('accepts unsorted entries and files (a hand merge) and sorts them', () => {
    const raw = { schemaVersion: 1, entries: [entry({ template: 'b', files: [{ path: 'z', sha256: HEX_A }, { path: 'a', sha256: HEX_A }] }), entry({ template: 'a' })] };
    const record = parseProvenance(json(raw));
    assert.deepEqual(record.entries.map((e) => e.template.id), ['a', 'b']);
    assert.deepEqual(record.entries[1]!.files.map((f) => f.path), ['a', 'z']);
  });

  it('accepts a UTF-8 BOM and bytes', () => {
    const text = serializeProvenance(upsertEntry(emptyProvenance(), entry()));
    assert.equal(parseProvenance(new TextEncoder().encode(`\uFEFF${text}`)).entries.length, 1);
  });

  it('refuses a newer schema with a clear message, and a missing or wrong one', () => {
    expectFormatError(json({ schemaVersion: 2, entries: [] }), 'schemaVersion', /this client reads version 1/);
    expectFormatError(json({ entries: [] }), 'schemaVersion');
    expectFormatError(json({ schemaVersion: '1', entries: [] }), 'schemaVersion');
  });

  it('refuses invalid JSON, invalid UTF-8, non-objects and oversized input', () => {
    expectFormatError('{', undefined, /not valid UTF-8 JSON/);
    expectFormatError(new Uint8Array([0x7b, 0xff, 0x7d]), undefined, /not valid UTF-8 JSON/);
    expectFormatError('[]', undefined, /expected a JSON object/);
    expectFormatError('null', undefined, /expected a JSON object/);
    expectFormatError(' '.repeat(PROVENANCE_LIMITS.maxBytes + 1), undefined, /larger than/);
  });

  it('names the exact field that is wrong', () => {
    const cases: [(e: Loose) => void, string, RegExp?][] = [
      [(e) => (e.template.sha256 = 'ABC'), 'entries[0].template.sha256'],
      [(e) => (e.template.version = '1.0'), 'entries[0].template.version'],
      [(e) => (e.template.signature = 'abc'), 'entries[0].template.signature'],
      [(e) => (e.template.publisherKeyId = HEX_A.toUpperCase()), 'entries[0].template.publisherKeyId'],
      [(e) => (e.marketplace.catalogKeyId = 1), 'entries[0].marketplace.catalogKeyId', /expected a string, got number/],
      [(e) => (e.marketplace.id = 'Acme'), 'entries[0].marketplace.id'],
      [(e) => (e.marketplace.url = 'ftp://x/'), 'entries[0].marketplace.url'],
      [(e) => (e.marketplace.url = 'not a url'), 'entries[0].marketplace.url'],
      [(e) => (e.marketplace.url = 'https://user:token@example.com/'), 'entries[0].marketplace.url', /credentials/],
      [(e) => (e.installedAt = '2026-01-31 12:00'), 'entries[0].installedAt'],
      [(e) => delete e.verifiedAt, 'entries[0].verifiedAt', /missing/],
      [(e) => (e.variables = []), 'entries[0].variables', /expected a JSON object/],
      [(e) => (e.variables = { 'bad-name': 'x' }), 'entries[0].variables.bad-name'],
      [(e) => (e.variables = { project: 3 }), 'entries[0].variables.project'],
      [(e) => (e.variables = { project: 'x'.repeat(PROVENANCE_LIMITS.maxValueLength + 1) }), 'entries[0].variables.project'],
      [(e) => (e.files = {}), 'entries[0].files', /expected an array/],
      [(e) => (e.files = [{ path: '../etc/passwd', sha256: HEX_A }]), 'entries[0].files[0].path', /\.\./],
      [(e) => (e.files = [{ path: '/etc/passwd', sha256: HEX_A }]), 'entries[0].files[0].path', /absolute/],
      [(e) => (e.files = [{ path: 'C:/x', sha256: HEX_A }]), 'entries[0].files[0].path'],
      [(e) => (e.files = [{ path: 'a\\b', sha256: HEX_A }]), 'entries[0].files[0].path', /backslash/],
      [(e) => (e.files = [{ path: './a', sha256: HEX_A }]), 'entries[0].files[0].path'],
      [(e) => (e.files = [{ path: 'a/', sha256: HEX_A }]), 'entries[0].files[0].path'],
      [(e) => (e.files = [{ path: 'e\u0301.md', sha256: HEX_A }]), 'entries[0].files[0].path', /NFC/],
      [(e) => (e.files = [{ path: 'a', sha256: HEX_A }, { path: 'A', sha256: HEX_A }]), 'entries[0].files[1].path', /twice/],
      [(e) => (e.files = [{ path: 'a', sha256: HEX_A, mode: 493 }]), 'entries[0].files[0].mode', /not a known field/],
      [(e) => (e.extra = true), 'entries[0].extra', /not a known field/],
      [(e) => (e.template.extra = true), 'entries[0].template.extra', /not a known field/],
    ];
    for (const [mutate, field, message] of cases) {
      const e = JSON.parse(json(entry())) as Loose;
      mutate(e);
      expectFormatError(json({ schemaVersion: 1, entries: [e] }), field, message);
    }
    expectFormatError(json({ schemaVersion: 1, entries: [], more: 1 }), 'more', /not a known field/);
    expectFormatError(json({ schemaVersion: 1, entries: [entry(), entry()] }), 'entries[1]', /duplicate/);
    expectFormatError(json({ schemaVersion: 1, entries: new Array(PROVENANCE_LIMITS.maxEntries + 1).fill(0) }), 'entries', /at most/);
  });

  it('is safe against prototype pollution: "__proto__" keys stay data or are refused', () => {
    const withProto = `{"schemaVersion":1,"entries":[${json(entry()).replace('"variables":{', '"variables":{"__proto__":"x",')}]}`;
    const record = parseProvenance(withProto);
    const vars = record.entries[0]!.variables;
    assert.equal(Object.getPrototypeOf(vars), Object.prototype);
    assert.ok(Object.hasOwn(vars, '__proto__'));
    assert.equal(({} as Record<string, unknown>).x, undefined);
    // Round-trips as data.
    assert.ok(serializeProvenance(record).includes('"__proto__": "x"'));
    // An unknown "__proto__" field anywhere else is refused, not merged.
    expectFormatError('{"schemaVersion":1,"entries":[],"__proto__":{"polluted":true}}', '__proto__', /not a known field/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // An inherited name is never taken as a present field.
    expectFormatError('{"entries":[]}', 'schemaVersion');
  });
});

describe('provenance record: entries', () => {
  it('upsertEntry adds, then replaces the entry with the same marketplace id + template id', () => {
    const r1 = upsertEntry(emptyProvenance(), entry());
    const r2 = upsertEntry(r1, entry({ version: '2.0.0' }));
    assert.equal(r2.entries.length, 1);
    assert.equal(r2.entries[0]!.template.version, '2.0.0');
    assert.equal(r1.entries[0]!.template.version, '1.0.0', 'the input record is not modified');
    const r3 = upsertEntry(r2, entry({ marketplace: 'other' }));
    assert.equal(r3.entries.length, 2, 'the same template id from another marketplace is another entry');
    assert.equal(findEntry(r3, 'other', 'readme-basic')?.marketplace.id, 'other');
    assert.equal(findEntry(r3, 'acme', 'nope'), undefined);
  });

  it('upsertEntry normalises paths ("\\", "./", NFD) and refuses unsafe or duplicate ones', () => {
    const r = upsertEntry(emptyProvenance(), entry({ files: [{ path: '.\\docs\\e\u0301.md', sha256: HEX_A }] }));
    assert.equal(r.entries[0]!.files[0]!.path, 'docs/\u00e9.md');
    assert.throws(() => upsertEntry(emptyProvenance(), entry({ files: [{ path: '../x', sha256: HEX_A }] })), { code: 'E_FORMAT' });
    assert.throws(() => upsertEntry(emptyProvenance(), entry({ files: [{ path: 'a', sha256: HEX_A }, { path: './a', sha256: HEX_A }] })), /twice/);
    assert.equal(normalizeRecordPath('./a/b.md'), 'a/b.md');
  });

  it('removeEntry removes only that entry and leaves the input alone', () => {
    const r = upsertEntry(upsertEntry(emptyProvenance(), entry()), entry({ template: 'other' }));
    const removed = removeEntry(r, 'acme', 'readme-basic');
    assert.deepEqual(removed.entries.map((e) => e.template.id), ['other']);
    assert.equal(r.entries.length, 2);
    assert.deepEqual(removeEntry(removed, 'acme', 'missing'), removed);
  });

  it('recordFiles digests rendered content and sorts by path', () => {
    const files = recordFiles([
      { path: 'b.txt', bytes: new TextEncoder().encode('b') },
      { path: 'a.txt', bytes: new Uint8Array() },
    ]);
    assert.deepEqual(files, [
      { path: 'a.txt', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { path: 'b.txt', sha256: digestOf(new TextEncoder().encode('b')) },
    ]);
  });
});

describe('provenance record: on disk', () => {
  it('reads an absent record as empty, writes atomically and reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prov-'));
    try {
      assert.deepEqual(await readProvenance(dir), emptyProvenance());
      const record = upsertEntry(emptyProvenance(), entry());
      await writeProvenance(dir, record);
      assert.deepEqual(await readProvenance(dir), record);
      assert.equal(await readFile(join(dir, PROVENANCE_FILE), 'utf8'), serializeProvenance(record));
      await writeProvenance(dir, removeEntry(record, 'acme', 'readme-basic'));
      assert.deepEqual((await readProvenance(dir)).entries, []);
      assert.deepEqual(await readdir(dir), [PROVENANCE_FILE], 'no temporary file is left behind');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a record that is a symbolic link, or too large, without reading it all', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'prov-'));
    try {
      await writeFile(join(dir, 'target.json'), serializeProvenance(emptyProvenance()));
      try {
        await symlink(join(dir, 'target.json'), join(dir, PROVENANCE_FILE));
      } catch {
        t.skip('symbolic links are not available here');
        return;
      }
      await assert.rejects(readProvenance(dir), { code: 'E_FORMAT' });
      await rm(join(dir, PROVENANCE_FILE));
      await writeFile(join(dir, PROVENANCE_FILE), ' '.repeat(PROVENANCE_LIMITS.maxBytes + 10));
      await assert.rejects(readProvenance(dir), /larger than/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
