/**
 * Worst-case cost of hostile packages (issue 9): crafted zips, variable patterns and templates that
 * try to make a client spend CPU or memory. Prints the time of each shape, and the old behaviour's
 * cost where it is still reproducible, so the bounds in media/MARKETPLACE-FORMAT.md can be checked.
 *
 *   node --import tsx test/bench/hostilePackages.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { inflateSync } from 'fflate';
import { crc32 } from '../../src/core/format/crc32';
import { compileVariablePattern, LIMITS, MAX_PROGRAM, parseManifestBytes, readPackage, serializeManifest, writePackage, type TemplateManifest } from '../../src/core/format';
import { installPackage, MAX_PLACEHOLDERS, renderPackage } from '../../src/core/install/installer';
import { concat, deflateBomb, emptyDynamicBlocks, emptyStoredBlocks, entry, finishZip, localRecord, zerosCrc } from '../core/format/zipCraft';

/** Best of `rounds` runs, in ms; the outcome of the last run is returned for the report. */
function time(label: string, run: () => unknown, rounds = 3): number {
  let best = Infinity;
  let outcome = '';
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    try {
      run();
      outcome = 'accepted';
    } catch (err) {
      outcome = `refused: ${(err as Error).message.slice(0, 90)}`;
    }
    best = Math.min(best, performance.now() - started);
  }
  console.log(`${label.padEnd(62)} ${best.toFixed(1).padStart(9)} ms  ${outcome}`);
  return best;
}

const MANIFEST = serializeManifest(manifest([]));

function manifest(variables: TemplateManifest['variables']): TemplateManifest {
  return {
    id: 'bench', name: 'Bench', version: '1.0.0', description: '', category: 'documentation', tags: [], author: 'Bench',
    targetFolder: '.', variables,
  };
}

/** template.json, then one entry with the given compressed body and declared fields. */
function oneEntry(body: Uint8Array, fields: { crc: number; size: number }): Uint8Array {
  const m = entry('template.json', MANIFEST, 0);
  const f = { ...fields, compressedSize: body.length };
  return finishZip(concat([m.local, localRecord({ name: 'files/x.bin', body, ...f })]), [m.central, { name: 'files/x.bin', offset: m.local.length, ...f }]);
}

/** As many entries as fit, each a bomb declaring `declared` bytes. */
function manyBombs(count: number, copies: number, declared: number): Uint8Array {
  const m = entry('template.json', MANIFEST, 0);
  const locals = [m.local];
  const centrals = [m.central];
  let offset = m.local.length;
  const body = deflateBomb(copies);
  const fields = { crc: zerosCrc(declared), compressedSize: body.length, size: declared };
  for (let i = 0; i < count; i++) {
    const name = `files/b${i}.bin`;
    const local = localRecord({ name, body, ...fields });
    locals.push(local);
    centrals.push({ name, offset, ...fields });
    offset += local.length;
  }
  return finishZip(concat(locals), centrals);
}

function zipBench(): void {
  console.log('\n-- zip: decompression (limits: package 8 MiB, unpacked 32 MiB, 512 entries)');
  const bomb8 = deflateBomb(Math.floor((LIMITS.maxPackageBytes - 4096) * 4)); // ~8 MiB of stream, ~8 GiB of zeros
  const small = oneEntry(bomb8, { crc: zerosCrc(1024), size: 1024 });
  time('8 MiB bomb (→ 8 GiB) declaring 1 KiB', () => readPackage(small));
  const large = oneEntry(bomb8, { crc: 0, size: LIMITS.maxUnpackedBytes - 1024 });
  time('8 MiB bomb (→ 8 GiB) declaring 32 MiB - 1 KiB', () => readPackage(large));
  const many = manyBombs(510, 63_000, 64 * 1024);
  time('510 bombs of 16 KiB (→ 16 MiB each) declaring 64 KiB each', () => readPackage(many));
  const zeros = new Uint8Array(LIMITS.maxUnpackedBytes - 1024);
  const legit = writePackage(manifest([]), new Map([['zeros.bin', zeros]]));
  time('32 MiB of zeros, declared honestly (legitimate maximum)', () => readPackage(legit));
  const noise = new Uint8Array(randomBytes(LIMITS.maxPackageBytes - 64 * 1024));
  const noisy = writePackage(manifest([]), new Map([['noise.bin', noise]]));
  time('8 MiB of random bytes, stored (legitimate)', () => readPackage(noisy));
  const files = new Map(Array.from({ length: LIMITS.maxFiles - 1 }, (_, i) => [`f${i}.txt`, zeros.subarray(0, 64 * 1024)] as const));
  const full = writePackage(manifest([]), files);
  time('511 entries of 64 KiB zeros (legitimate)', () => readPackage(full));
  const perBlock = emptyDynamicBlocks(10).length / 10;
  const dynamic = emptyDynamicBlocks(Math.floor((LIMITS.maxPackageBytes - 4096) / perBlock));
  const tables = oneEntry(dynamic, { crc: 0, size: 0 });
  time(`8 MiB of empty dynamic blocks (${Math.round(dynamic.length / perBlock)} Huffman tables)`, () => readPackage(tables));
  const stored = emptyStoredBlocks(Math.floor((LIMITS.maxPackageBytes - 4096) / 5) - 1);
  const storedZip = oneEntry(stored, { crc: 0, size: 0 });
  time('8 MiB of empty stored blocks', () => readPackage(storedZip));
  const crcData = new Uint8Array(LIMITS.maxUnpackedBytes);
  time('CRC-32 of 32 MiB', () => crc32(crcData));

  console.log('   before (fflate into a buffer of the declared size, which kept inflating past it):');
  const bomb256 = deflateBomb(1_000_000);
  const old = time('   1 MB bomb (→ 258 MB) declaring 1 KiB, old reader', () => inflateSync(bomb256, { out: new Uint8Array(1024) }), 1);
  console.log(`   → the old reader spends ~${((old / 258) * 8 * 1024 / 1000).toFixed(0)} s on the 8 MiB bomb (linear in the output)`);
  void deflateRawSync;
}

function patternBench(): void {
  console.log('\n-- variable patterns (500 characters max, values typed by the user or a 1000-character default)');
  const value = `${'a'.repeat(5000)}!`;
  for (const pattern of ['(a+)+$', '(a|a)*b', '(a|aa)*c', '(.*a){20}', '([a-z]+)*[0-9]', '(?:a*)*b', '(a{1,20}){1,20}x']) {
    time(`${pattern} on 5001 characters`, () => compileVariablePattern(pattern).test(value));
  }
  // Every loop can hold a thread at once: the most states alive per character within MAX_PROGRAM.
  const widest = `(?:[^!]*){${Math.floor(MAX_PROGRAM / 6) - 6}}`;
  time(`${widest} on 5001 characters`, () => compileVariablePattern(widest).test(value));
  time(`${widest} on 1000 characters`, () => compileVariablePattern(widest).test(value.slice(0, 1000)));
  const variables = Array.from({ length: LIMITS.maxVariables }, (_, i) => ({ name: `v${i}`, prompt: 'p', pattern: widest, default: 'a'.repeat(1000) }));
  const worst = serializeManifest(manifest(variables));
  time(`template.json: ${LIMITS.maxVariables} × that pattern with a 1000-character default`, () => parseManifestBytes(worst));
  time('([a-z]{1,1000}){1,1000} (refused: too large)', () => compileVariablePattern('([a-z]{1,1000}){1,1000}').test(value));
  for (const pattern of ['(a+)+$', '(a|aa)*c']) {
    const native = new RegExp(`^(?:${pattern})$`, 'u');
    time(`   before: native RegExp ${pattern} on 28 characters`, () => native.test(`${'a'.repeat(28)}!`), 1);
  }
}

function renderBench(): void {
  console.log('\n-- rendering placeholders (rendered output is capped)');
  const thousand = 'x'.repeat(1000);
  const m = manifest([{ name: 'a', prompt: 'a', default: thousand }]);
  const text = new TextEncoder().encode('{{a}}'.repeat(Math.floor((LIMITS.maxUnpackedBytes - 1024) / 5)));
  const pkg = { manifest: m, files: new Map([['x.txt', text]]) };
  time('32 MiB of {{a}} with a 1000-character value (→ 6.7 GB)', () => renderPackage(pkg));
  const dense = { manifest: manifest([{ name: 'a', prompt: 'a', default: 'xy' }]), files: new Map([['x.txt', text]]) };
  time('32 MiB of {{a}} with a 2-character value (6.7 M placeholders)', () => renderPackage(dense));
  const most = new TextEncoder().encode(`${'{{a}}'.repeat(MAX_PLACEHOLDERS)}${'{{b}}'.repeat(Math.floor((LIMITS.maxUnpackedBytes - 1024) / 5) - MAX_PLACEHOLDERS)}`);
  const undeclared = { manifest: manifest([{ name: 'a', prompt: 'a', default: 'x'.repeat(300) }]), files: new Map([['x.txt', most]]) };
  time(`${MAX_PLACEHOLDERS} × {{a}} (300 chars), then 32 MiB of undeclared {{b}}`, () => renderPackage(undeclared));
}

async function timeAsync(label: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  let outcome = 'accepted';
  try {
    await run();
  } catch (err) {
    outcome = `refused: ${(err as Error).message.slice(0, 90)}`;
  }
  console.log(`${label.padEnd(62)} ${(performance.now() - started).toFixed(1).padStart(9)} ms  ${outcome}`);
}

async function installBench(): Promise<void> {
  console.log('\n-- installing the largest package (journal, temp files, hard-linked backups)');
  const dir = await mkdtemp(join(tmpdir(), 'hostile-install-'));
  try {
    const text = new TextEncoder().encode(`# {{a}}\n${'lorem ipsum dolor sit amet '.repeat(2400)}`.slice(0, 64 * 1024));
    const files = new Map(Array.from({ length: LIMITS.maxFiles - 1 }, (_, i) => [`d${i % 16}/f${i}.md`, text] as const));
    const pkg = readPackage(writePackage(manifest([{ name: 'a', prompt: 'a', default: 'x' }]), files));
    const target = join(dir, 'target');
    await timeAsync(`${files.size} files of 64 KiB into a new folder`, () => installPackage(pkg, { targetDir: target }));
    await timeAsync('the same again, "overwrite" (every file backed up)', () => installPackage(pkg, { targetDir: target, onConflict: 'overwrite' }));
    await timeAsync('the same again, "fail" (every file compared, all identical)', () => installPackage(pkg, { targetDir: target }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(only = process.env.HOSTILE_ONLY): Promise<void> {
  if (!only || only === 'zip') zipBench();
  if (!only || only === 'pattern') patternBench();
  if (!only || only === 'render') renderBench();
  if (!only || only === 'install') await installBench();
}

if (require.main === module) void run();
