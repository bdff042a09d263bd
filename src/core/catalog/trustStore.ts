import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { utf8 } from '../format/encoding';
import { HEX64, quoteValue } from '../format/validate';
import { writeFileAtomic } from '../util/atomicFile';

/**
 * Who a marketplace is, for rollback protection: where it is and the catalog key it is pinned to.
 * Two sources that differ in either are different marketplaces with separate memories; a source id
 * (a local nickname, the CLI's is always "cli") is not an identity.
 */
export interface MarketplaceIdentity {
  /** The marketplace root URL, normalised (see identityOf). */
  url: string;
  /** Key id of the pinned catalog key. */
  keyid: string;
}

/** What was last accepted from one marketplace: the basis of rollback protection. */
export interface TrustRecord {
  /** The catalog `version` from the verified (signed) payload. */
  version: number;
  /**
   * SHA-256 of the signed payload bytes (not of the envelope, whose signature list is unsigned).
   * Empty for a version floor carried over from an older trust file, which recorded no payload digest.
   */
  payloadSha256: string;
}

/**
 * Source ids that older versions of the CLI gave every marketplace: a record filed under one of them
 * says nothing about any particular marketplace, so it is never carried over.
 */
const SHARED_LEGACY_IDS: ReadonlySet<string> = new Set(['cli']);

export interface TrustEntry extends MarketplaceIdentity {
  /** Undefined after an explicit reset of this marketplace: nothing remembered, nothing to recover. */
  record?: TrustRecord;
}

/** The identity of a source: its URL (parsed, so equivalent spellings agree; a trailing "/" added) and key id. */
export function identityOf(url: string, keyid: string): MarketplaceIdentity {
  let href = url;
  try {
    const parsed = new URL(url);
    if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
    href = parsed.href;
  } catch {
    // Options are validated before a store is used; an unparsable URL stays as written.
  }
  return { url: href, keyid };
}

function keyOf(id: MarketplaceIdentity): string {
  return `${id.keyid} ${id.url}`;
}

/** One remembered marketplace in memory, with the reset generation it belongs to. */
interface Entry extends TrustEntry {
  generation: number;
}

interface FileState {
  generation: number;
  /** Why protection must be rebuilt before a marketplace without a record is trusted, if it must. */
  damage?: string;
  /**
   * Versions from a trust file of the older format, by source id (it was keyed by id, with a digest of
   * the envelope that cannot be compared with payload digests): version floors for recovery.
   */
  legacy?: Map<string, number>;
  entries: Map<string, Entry>;
}

const FORMAT = 2;

/**
 * Remembers, per marketplace identity (URL + pinned catalog key), the highest catalog version
 * accepted and the digest of its signed payload, in `trust.json` beside the cache. It is
 * deliberately not part of the cache: clearing the cache must not reopen the door to a rollback.
 *
 * Several processes (VS Code windows, CLI runs) may share the file: every update re-reads it,
 * only ever moves a version forward, and replaces the file atomically.
 *
 * A file that cannot be read as this format (damaged, or written by an older version keyed by
 * source id) never silently resets protection. Its bytes are kept beside it, and the store enters
 * *recovery*: a marketplace it has no record for is trusted again only once its newest verified
 * catalog in the cache has been recorded (see SourceCatalog), or after an explicit `reset()` (the
 * CLI's `trust reset`). A reset also bumps a generation number, so that another process does not
 * write back what it remembered from before the reset.
 */
export class TrustStore {
  private state: FileState = { generation: 0, entries: new Map() };
  private updates: Promise<void> = Promise.resolve();

  private constructor(readonly file: string) {}

  static async open(dir: string): Promise<TrustStore> {
    await mkdir(dir, { recursive: true });
    const store = new TrustStore(join(dir, 'trust.json'));
    store.state = await store.read();
    return store;
  }

  /** The record that bounds what `id` may serve next; undefined for a marketplace never accepted (or reset). */
  get(id: MarketplaceIdentity): TrustRecord | undefined {
    return this.state.entries.get(keyOf(id))?.record;
  }

  /**
   * Why `id` cannot be trusted until its memory is rebuilt, or undefined when it can: the file was
   * damaged (or of an older format) and holds nothing for `id`, not even a reset.
   */
  recoveryNeeded(id: MarketplaceIdentity, sourceId?: string): string | undefined {
    const { damage, legacy } = this.state;
    if (damage === undefined || this.state.entries.has(keyOf(id))) return undefined;
    // An older file that is intact, merely keyed by source id: a source it has no record for was never
    // accepted, so there is nothing to protect yet.
    if (legacy && sourceId !== undefined && !SHARED_LEGACY_IDS.has(sourceId) && !legacy.has(sourceId)) return undefined;
    return damage;
  }

  /** The version an older-format trust file remembered for `sourceId`, as a floor to recover with. */
  legacyFloor(sourceId: string): number | undefined {
    return SHARED_LEGACY_IDS.has(sourceId) ? undefined : this.state.legacy?.get(sourceId);
  }

  /** Every remembered marketplace, for display. */
  entries(): TrustEntry[] {
    return [...this.state.entries.values()].map(({ url, keyid, record }) => ({ url, keyid, ...(record ? { record: { ...record } } : {}) }));
  }

  /** Whether the store is rebuilding protection after a damaged or outdated file, and why. */
  get damage(): string | undefined {
    return this.state.damage;
  }

  /** Records `record` for `id` if it is newer than what is remembered (also how recovery records a cached catalog). */
  async accept(id: MarketplaceIdentity, record: TrustRecord): Promise<void> {
    await this.update((state) => {
      const key = keyOf(id);
      const known = state.entries.get(key)?.record;
      const learnsDigest = known !== undefined && known.payloadSha256 === '' && record.version === known.version;
      if (!known || record.version > known.version || learnsDigest) {
        state.entries.set(key, { ...id, record: { ...record }, generation: state.generation });
      }
    });
  }

  /**
   * Forgets what was accepted: from every marketplace (no argument), which also ends recovery, or from
   * those matching `filter`, which are then trusted on their next catalog as if new. Returns how many
   * marketplaces were forgotten (with `id` given, 1 even when nothing was remembered: the reset
   * itself is recorded, so that recovery no longer asks for it).
   */
  async reset(filter?: { url?: string; keyid?: string }): Promise<number> {
    let count = 0;
    await this.update((state) => {
      state.generation++;
      if (!filter) {
        count = state.entries.size;
        state.entries.clear();
        delete state.damage;
        delete state.legacy;
        return;
      }
      const url = filter.url === undefined ? undefined : identityOf(filter.url, '').url;
      for (const [key, e] of state.entries) {
        if ((url === undefined || e.url === url) && (filter.keyid === undefined || e.keyid === filter.keyid)) {
          state.entries.set(key, { url: e.url, keyid: e.keyid, generation: state.generation });
          count++;
        }
      }
      if (url !== undefined && filter.keyid !== undefined && !state.entries.has(keyOf({ url, keyid: filter.keyid }))) {
        state.entries.set(keyOf({ url, keyid: filter.keyid }), { url, keyid: filter.keyid, generation: state.generation });
        count++;
      }
      for (const e of state.entries.values()) e.generation = state.generation;
    });
    return count;
  }

  /**
   * Re-reads the file, applies `change`, writes the result atomically and keeps it as the current
   * state. Updates of one process run one at a time: two sources accepting catalogs at once must not
   * each write (and keep) a state without the other's record.
   */
  private update(change: (state: FileState) => void): Promise<void> {
    const run = this.updates.then(async () => {
      const state = await this.read();
      change(state);
      try {
        await writeFileAtomic(this.file, serialize(state));
      } catch (err) {
        // A full disk or a read-only folder: this process still remembers the state (rollback
        // protection holds for its lifetime) and the file catches up on the next write.
        if (typeof (err as NodeJS.ErrnoException)?.code !== 'string') throw err;
      }
      this.state = state;
    });
    this.updates = run.catch(() => undefined);
    return run;
  }

  /**
   * The file merged with what this process remembers. A missing file is a first start; a file that
   * is not this format is set aside and recovery begins.
   */
  private async read(): Promise<FileState> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.merge({ generation: this.state.generation, entries: new Map() });
      throw err;
    }
    const parsed = parse(bytes);
    if ('unusable' in parsed) return this.merge(await this.setAside(bytes, parsed.unusable, parsed.legacy));
    return this.merge(parsed);
  }

  /** Keeps a copy of an unreadable file, and starts recovery with what this process knows. */
  private async setAside(bytes: Uint8Array, damage: string, legacy?: Map<string, number>): Promise<FileState> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await writeFileAtomic(`${this.file}.damaged-${stamp}`, bytes);
    const state: FileState = {
      generation: this.state.generation,
      damage: `${damage}; its contents were kept in ${this.file}.damaged-${stamp}`,
      ...(legacy ? { legacy } : {}),
      entries: new Map(),
    };
    await writeFileAtomic(this.file, serialize(state));
    return state;
  }

  /** Never forgets a version this process accepted, unless a reset happened since (a newer generation). */
  private merge(fromFile: FileState): FileState {
    const mine = this.state;
    if (fromFile.generation < mine.generation) fromFile.generation = mine.generation;
    if (mine.damage !== undefined && fromFile.damage === undefined && fromFile.generation === mine.generation && fromFile.entries.size === 0) {
      // The file vanished while this process was recovering: keep recovering.
      fromFile.damage = mine.damage;
      if (mine.legacy) fromFile.legacy = mine.legacy;
    }
    for (const [key, e] of mine.entries) {
      if (e.generation < fromFile.generation) continue;
      const other = fromFile.entries.get(key);
      if (!other) fromFile.entries.set(key, { ...e });
      else if (e.record && (!other.record || other.record.version < e.record.version)) fromFile.entries.set(key, { ...e });
    }
    return fromFile;
  }
}

function serialize(state: FileState): Uint8Array {
  const marketplaces: Record<string, unknown> = {};
  for (const [key, e] of [...state.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    marketplaces[key] = { url: e.url, keyid: e.keyid, ...(e.record ? e.record : { reset: true }) };
  }
  const out = {
    format: FORMAT,
    generation: state.generation,
    ...(state.damage !== undefined ? { recovering: state.damage } : {}),
    ...(state.legacy ? { legacy: Object.fromEntries(state.legacy) } : {}),
    marketplaces,
  };
  return utf8.encode(JSON.stringify(out, null, 1) + '\n');
}

/** The file's state, or why it cannot be used. Strict: any record that does not check out makes the whole file unusable. */
function parse(bytes: Uint8Array): FileState | { unusable: string; legacy?: Map<string, number> } {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return { unusable: 'the trust file is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { unusable: 'the trust file is not a JSON object' };
  const obj = value as Record<string, unknown>;
  if (obj.format === undefined) {
    const legacy = parseLegacy(obj);
    return legacy
      ? { unusable: 'the trust file was written by an older version (records keyed by source id, not by marketplace)', legacy }
      : { unusable: 'the trust file is not in a known format' };
  }
  if (obj.format !== FORMAT) return { unusable: `the trust file has an unknown format ${quoteValue(obj.format)}` };
  if (!Number.isSafeInteger(obj.generation) || (obj.generation as number) < 0) return { unusable: 'the trust file has no valid generation' };
  if (obj.recovering !== undefined && typeof obj.recovering !== 'string') return { unusable: 'the trust file has an invalid recovery note' };
  let legacy: Map<string, number> | undefined;
  if (obj.legacy !== undefined) {
    legacy = parseLegacyFloors(obj.legacy);
    if (!legacy) return { unusable: 'the trust file has invalid legacy floors' };
  }
  const list = obj.marketplaces;
  if (typeof list !== 'object' || list === null || Array.isArray(list)) return { unusable: 'the trust file has no marketplaces object' };
  const generation = obj.generation as number;
  const entries = new Map<string, Entry>();
  for (const [key, raw] of Object.entries(list)) {
    const r = raw as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.url !== 'string' || typeof r.keyid !== 'string' || !HEX64.test(r.keyid)) {
      return { unusable: 'a trust record is malformed' };
    }
    const id = { url: r.url, keyid: r.keyid };
    if (keyOf(id) !== key) return { unusable: 'a trust record is filed under the wrong marketplace' };
    if (r.reset === true && r.version === undefined) {
      entries.set(key, { ...id, generation });
      continue;
    }
    const digestOk = typeof r.payloadSha256 === 'string' && (r.payloadSha256 === '' || HEX64.test(r.payloadSha256));
    if (!Number.isSafeInteger(r.version) || (r.version as number) < 1 || !digestOk) return { unusable: 'a trust record is malformed' };
    entries.set(key, { ...id, record: { version: r.version as number, payloadSha256: r.payloadSha256 as string }, generation });
  }
  return { generation, ...(typeof obj.recovering === 'string' ? { damage: obj.recovering } : {}), ...(legacy ? { legacy } : {}), entries };
}

/** The first format: `{ "<source id>": { "version": n, "sha256": "<envelope digest>" } }`. */
function parseLegacy(obj: Record<string, unknown>): Map<string, number> | undefined {
  const out = new Map<string, number>();
  for (const [id, raw] of Object.entries(obj)) {
    const r = raw as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.version) || (r.version as number) < 1 || typeof r.sha256 !== 'string') return undefined;
    out.set(id, r.version as number);
  }
  return out;
}

function parseLegacyFloors(value: unknown): Map<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out = new Map<string, number>();
  for (const [id, version] of Object.entries(value)) {
    if (!Number.isSafeInteger(version) || (version as number) < 1) return undefined;
    out.set(id, version as number);
  }
  return out;
}
