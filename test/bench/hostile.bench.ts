/**
 * What a hostile marketplace can make the client spend before anything is authenticated (issue 9):
 * junk and forged catalog envelopes at the 8 MiB limit, next to a valid catalog at the documented
 * maximum for reference. Each case runs in its own child process, so its peak memory (max RSS above
 * the process's own baseline, input already built) is its alone.
 *
 *   node --import tsx test/bench/hostile.bench.ts            (all cases)
 *   node --import tsx test/bench/hostile.bench.ts <case>     (one case, in this process: prints JSON)
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { verifyCatalogBytes } from '../../src/core/catalog/verifyCatalog';
import { CATALOG_PAYLOAD_TYPE, LIMITS, keyPairFromSeed, toBase64, utf8 } from '../../src/core/format';
import { displayText } from '../../src/core/util/displayText';
import { maxCatalogEnvelope } from '../core/format/catalogBuilder';

const MAX = LIMITS.maxCatalogBytes;
const catalogKey = keyPairFromSeed(new Uint8Array(32).fill(1));
const publisher = keyPairFromSeed(new Uint8Array(32).fill(2));
const stranger = keyPairFromSeed(new Uint8Array(32).fill(3));
const SIG = toBase64(new Uint8Array(64).fill(9));
const envelope = (payload: string, signatures: { keyid: string; sig: string }[]) =>
  utf8.encode(JSON.stringify({ payloadType: CATALOG_PAYLOAD_TYPE, payload, signatures }));
const base64Junk = (length: number) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[(i * 2654435761) >>> 26]!;
  return s;
};

const CASES: Record<string, { what: string; input: () => Uint8Array; run?: (bytes: Uint8Array) => unknown }> = {
  whitespace: { what: '8 MiB of whitespace, then {}', input: () => utf8.encode(' '.repeat(MAX - 2) + '{}') },
  brackets: { what: '8 MiB of "["', input: () => new Uint8Array(MAX).fill(0x5b) },
  values: { what: '8 MiB array of zeros [0,0,…]', input: () => utf8.encode(`[${'0,'.repeat(MAX / 2 - 2)}0]`) },
  objects: { what: '8 MiB array of empty objects [{},{},…]', input: () => utf8.encode(`[${'{},'.repeat(MAX / 3 - 1)}{}]`) },
  unsigned: {
    what: '8 MiB envelope signed by an unknown key',
    input: () => envelope(base64Junk(MAX - 400), [{ keyid: stranger.keyid, sig: SIG }]),
  },
  forged: {
    what: '8 MiB envelope, pinned key id, bad signature',
    input: () => envelope(base64Junk(MAX - 400), [{ keyid: catalogKey.keyid, sig: SIG }]),
  },
  'forged×16': {
    what: '8 MiB envelope, 16 signatures claiming the pinned key',
    input: () => envelope(base64Junk(MAX - 4000), Array.from({ length: 16 }, () => ({ keyid: catalogKey.keyid, sig: SIG }))),
  },
  'sigs×40000': {
    what: '40,000 signatures claiming the pinned key',
    input: () => envelope(base64Junk(1000), Array.from({ length: 40000 }, () => ({ keyid: catalogKey.keyid, sig: SIG }))),
  },
  valid: { what: `valid catalog: ${LIMITS.maxTemplates} templates, 8 MiB`, input: () => maxCatalogEnvelope(catalogKey, publisher) },
  displayText: {
    what: 'displayText over 8 MiB of ESC and bidi characters',
    input: () => utf8.encode('\u001b\u202e'.repeat(MAX / 5)),
    run: (bytes) => displayText(utf8.decode(bytes)),
  },
};

const trusted = new Map([[catalogKey.keyid, catalogKey.publicKey]]);

function runOne(name: string): void {
  const c = CASES[name];
  if (!c) throw new Error(`no case ${name}`);
  const bytes = c.input();
  const run = c.run ?? ((b: Uint8Array) => verifyCatalogBytes(b, trusted, 'catalog.json'));
  // Warm-up on a small input of the same kind is not possible for every case: measure the first call
  // (what an attacker gets), then the best of a few more.
  const baseline = process.resourceUsage().maxRSS;
  const times: number[] = [];
  let outcome = 'ok';
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    try {
      run(bytes);
    } catch (err) {
      outcome = `${(err as { code?: string }).code ?? (err as Error).name}`;
    }
    times.push(performance.now() - started);
  }
  const peakMb = (process.resourceUsage().maxRSS - baseline) / 1024;
  console.log(JSON.stringify({ name, bytes: bytes.length, outcome, firstMs: times[0], bestMs: Math.min(...times), peakMb }));
}

export async function run(): Promise<void> {
  const self = resolve(__dirname, 'hostile.bench.ts');
  const tsx = pathToFileURL(join(__dirname, '../../node_modules/tsx/dist/loader.mjs')).href;
  const results = new Map<string, { bytes: number; outcome: string; firstMs: number; bestMs: number; peakMb: number }>();
  for (const name of Object.keys(CASES)) {
    const out = execFileSync(process.execPath, ['--import', tsx, self, name], { encoding: 'utf8', maxBuffer: 1 << 20 });
    results.set(name, JSON.parse(out.trim().split('\n').at(-1)!));
  }
  // Ratios against loading a valid catalog at the limit: what junk costs compared with real work.
  const valid = results.get('valid')!;
  console.log('case                 bytes       outcome        first ms   best ms   ×valid   peak MB  what');
  for (const [name, r] of results) {
    console.log(
      `${name.padEnd(20)} ${String(r.bytes).padEnd(11)} ${r.outcome.padEnd(14)} ${r.firstMs.toFixed(1).padStart(8)} ${r.bestMs.toFixed(1).padStart(9)} ` +
        `${(r.bestMs / valid.bestMs).toFixed(2).padStart(7)} ${r.peakMb.toFixed(1).padStart(9)}  ${CASES[name]!.what}`,
    );
  }
}

if (require.main === module) {
  const name = process.argv[2];
  if (name) runOne(name);
  else void run();
}
