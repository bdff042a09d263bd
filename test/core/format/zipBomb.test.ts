import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Zip, ZipDeflate } from 'fflate';
import { IntegrityError, UnsafePackageError } from '../../../src/core/errors';
import { crc32 } from '../../../src/core/format/crc32';
import { LIMITS, readPackage, serializeManifest, utf8 } from '../../../src/core/format';
import { sampleManifest } from '../publish/templateFixture';
import { concat, deflateBomb, entry, finishZip, localRecord, zerosCrc, zipOf } from './zipCraft';

const MANIFEST = serializeManifest(sampleManifest());
const HELLO = utf8.encode('hello\n');

function refused(bytes: Uint8Array, errorClass: typeof UnsafePackageError | typeof IntegrityError, mention: string | RegExp): void {
  assert.throws(
    () => readPackage(bytes),
    (err: unknown) => {
      assert.ok(err instanceof errorClass, `expected ${errorClass.name}, got ${String(err)}`);
      if (typeof mention === 'string') assert.ok(err.message.includes(mention), `"${err.message}" should mention ${mention}`);
      else assert.match(err.message, mention);
      return true;
    },
  );
}

describe('decompression costs what was declared, no more', () => {
  test('the crafted DEFLATE stream really is a ~1032:1 bomb', () => {
    const small = deflateBomb(100_000);
    const inflated = inflateRawSync(small);
    assert.equal(inflated.length, 1 + 258 * 100_000);
    assert.ok(inflated.length / small.length > 1000, `ratio ${inflated.length / small.length}`);
  });

  test('an entry declaring 1 KiB that would inflate to ~1 GiB is refused as soon as it passes 1 KiB', () => {
    // 1 MB of DEFLATE that inflates to 1 GB of zeros; the headers declare 1 KiB and the CRC of the
    // first KiB, which is all a reader that silently truncates at the declared size would check.
    const bomb = deflateBomb(4_000_000);
    const declared = 1024;
    const manifest = entry('template.json', MANIFEST, 0);
    const fields = { crc: zerosCrc(declared), compressedSize: bomb.length, size: declared };
    const local = localRecord({ name: 'files/zeros.bin', body: bomb, ...fields });
    const bytes = finishZip(concat([manifest.local, local]), [manifest.central, { name: 'files/zeros.bin', offset: manifest.local.length, ...fields }]);
    assert.ok(bytes.length < LIMITS.maxPackageBytes);
    refused(bytes, IntegrityError, 'entry "files/zeros.bin" is corrupt: inflates to more than its declared 1024 bytes');
  });

  test('the same bomb declaring its real size is refused from the directory alone, before inflating', () => {
    const bomb = deflateBomb(4_000_000);
    const size = 1 + 258 * 4_000_000;
    const manifest = entry('template.json', MANIFEST, 0);
    const fields = { crc: 0, compressedSize: bomb.length, size };
    const local = localRecord({ name: 'files/zeros.bin', body: bomb, ...fields });
    const bytes = finishZip(concat([manifest.local, local]), [manifest.central, { name: 'files/zeros.bin', offset: manifest.local.length, ...fields }]);
    refused(bytes, UnsafePackageError, `unpacks to more than ${LIMITS.maxUnpackedBytes} bytes`);
  });

  test('an entry that inflates to less than it declares is refused', () => {
    const data = utf8.encode('x'.repeat(100));
    const body = new Uint8Array(deflateRawSync(data));
    const manifest = entry('template.json', MANIFEST, 0);
    const fields = { crc: crc32(data), compressedSize: body.length, size: 5000 };
    const local = localRecord({ name: 'files/x.txt', body, ...fields });
    refused(finishZip(concat([manifest.local, local]), [manifest.central, { name: 'files/x.txt', offset: manifest.local.length, ...fields }]), IntegrityError, 'inflated to 100 bytes, declared 5000');
  });

  test('bytes after the end of an entry\'s DEFLATE stream are refused', () => {
    const body = concat([new Uint8Array(deflateRawSync(HELLO)), utf8.encode('hidden payload')]);
    const manifest = entry('template.json', MANIFEST, 0);
    const fields = { crc: crc32(HELLO), compressedSize: body.length, size: HELLO.length };
    const local = localRecord({ name: 'files/a.txt', body, ...fields });
    refused(finishZip(concat([manifest.local, local]), [manifest.central, { name: 'files/a.txt', offset: manifest.local.length, ...fields }]), IntegrityError, 'data after the end of its compressed stream');
  });
});

describe('entries never share bytes, and every byte belongs to one entry', () => {
  test('a well-formed hand-made archive is read (the builders are sound)', () => {
    const pkg = readPackage(zipOf([['template.json', MANIFEST], ['files/a.txt', HELLO], ['files/b.txt', HELLO]]));
    assert.deepEqual([...pkg.files.keys()], ['a.txt', 'b.txt']);
  });

  test('an entry whose data contains the next entry (an overlapping "zip bomb", Fifield 2019) is refused', () => {
    const manifest = entry('template.json', MANIFEST, 0);
    const nameA = 'files/outer.bin';
    const headerA = 30 + utf8.encode(nameA).length;
    const inner = entry('files/inner.txt', HELLO, manifest.local.length + headerA);
    // A is stored; its data is B's whole local record, so B's bytes are counted twice.
    const outer = entry(nameA, inner.local, manifest.local.length, 0);
    const bytes = finishZip(concat([manifest.local, outer.local]), [manifest.central, outer.central, inner.central]);
    refused(bytes, UnsafePackageError, /entry "files\/(inner\.txt|outer\.bin)" is refused: its bytes overlap another entry's/);
  });

  test('two directory records pointing at one local header are refused', () => {
    const manifest = entry('template.json', MANIFEST, 0);
    const a = entry('files/a.txt', HELLO, manifest.local.length);
    const twin = { ...a.central, name: 'files/b.txt' };
    refused(finishZip(concat([manifest.local, a.local]), [manifest.central, a.central, twin]), UnsafePackageError, 'entry "files/b.txt" is refused: its local header names another file');
  });

  test('the same record listed twice under the same name is refused', () => {
    const manifest = entry('template.json', MANIFEST, 0);
    const a = entry('files/a.txt', HELLO, manifest.local.length);
    refused(finishZip(concat([manifest.local, a.local]), [manifest.central, a.central, a.central]), UnsafePackageError, 'another entry has the same name');
  });

  test('bytes before the first entry (a self-extractor stub, a second archive) are refused', () => {
    const stub = utf8.encode('MZ not a zip');
    const manifest = entry('template.json', MANIFEST, stub.length);
    const a = entry('files/a.txt', HELLO, stub.length + manifest.local.length);
    refused(finishZip(concat([stub, manifest.local, a.local]), [manifest.central, a.central]), UnsafePackageError, 'has bytes that belong to no entry (at offset 0)');
  });

  test('bytes between two entries are refused', () => {
    const gap = utf8.encode('smuggled');
    const manifest = entry('template.json', MANIFEST, 0);
    const a = entry('files/a.txt', HELLO, manifest.local.length + gap.length);
    refused(finishZip(concat([manifest.local, gap, a.local]), [manifest.central, a.central]), UnsafePackageError, `belong to no entry (at offset ${manifest.local.length})`);
  });

  test('bytes after the end record, or between the directory and the end record, are refused', () => {
    const manifest = entry('template.json', MANIFEST, 0);
    refused(finishZip(manifest.local, [manifest.central], { after: utf8.encode('PK trailing') }), UnsafePackageError, 'bytes after the end of its zip directory');
    refused(finishZip(manifest.local, [manifest.central], { between: utf8.encode('xx') }), UnsafePackageError, 'between its central directory and its end record');
  });

  test('a local header that tells another story than the central directory is refused', () => {
    const manifest = entry('template.json', MANIFEST, 0);
    const a = entry('files/a.txt', HELLO, manifest.local.length);
    const body = new Uint8Array(deflateRawSync(HELLO));
    const honest = { crc: crc32(HELLO), compressedSize: body.length, size: HELLO.length };
    const build = (local: Parameters<typeof localRecord>[0]) => finishZip(concat([manifest.local, localRecord(local)]), [manifest.central, a.central]);
    refused(build({ name: 'files/../../evil.sh', body, ...honest }), UnsafePackageError, 'its local header names another file');
    refused(build({ name: 'files/a.txt', body, ...honest, crc: honest.crc ^ 1 }), UnsafePackageError, 'other sizes or CRC');
    refused(build({ name: 'files/a.txt', body, ...honest, size: honest.size + 1 }), UnsafePackageError, 'other sizes or CRC');
    refused(build({ name: 'files/a.txt', body, ...honest, method: 0 }), UnsafePackageError, 'another compression method');
  });

  test('a streaming writer\'s data descriptors are accepted when they agree with the directory', async () => {
    const chunks: Uint8Array[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const zip = new Zip((err, chunk, final) => {
        if (err) return reject(err);
        chunks.push(chunk);
        if (final) resolve();
      });
      for (const [name, data] of [['template.json', MANIFEST], ['files/a.txt', HELLO]] as const) {
        const file = new ZipDeflate(name, { level: 6 });
        zip.add(file);
        file.push(data, true);
      }
      zip.end();
    });
    await done;
    const bytes = concat(chunks);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    assert.equal(view.getUint16(6, true) & 8, 8, 'fflate\'s streaming writer uses data descriptors');
    assert.deepEqual([...readPackage(bytes).files.keys()], ['a.txt']);
  });
});
