import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import type { MarketplaceClientOptions, SourceConfig } from '../../core';
import { SETTINGS_SECTION } from '../constants';
import { l10n } from '../l10n';

/**
 * The `templateMarketplace.*` settings: a typed reader, their validation and their mapping to the
 * engine's options. Pure (no `vscode`): the adapter (config/options.ts) hands in a reader over
 * `getConfiguration`, so every rule here is unit-tested.
 */

/** The engine's proxy option (`http.proxy`: `{ url, noProxy?, strictSSL? }`). */
export type ProxyOptions = NonNullable<NonNullable<MarketplaceClientOptions['http']>['proxy']>;

/** A marketplace as the settings describe it (`templateMarketplace.marketplaces[i]`), validated. */
export interface MarketplaceSetting {
  id: string;
  url: string;
  publicKey: string;
  name?: string;
}

export interface Settings {
  /** Only the valid entries; each invalid one is a problem. */
  marketplaces: MarketplaceSetting[];
  includeSampleMarketplace: boolean;
  cache: { memoryEntries: number; memoryMB: number; diskMB: number };
  catalogRefreshMinutes: number;
  downloadConcurrency: number;
  network: { timeoutSeconds: number; retries: number };
  prefetchCount: number;
  /** How many related templates to fetch after one is opened or installed (0 = off). */
  prefetchRelated: number;
  statusBar: { enabled: boolean };
}

/** A setting that could not be used as written; `setting` is the full key, with the index of a list entry. */
export interface SettingProblem {
  setting: string;
  message: string;
}

/** What the adapter passes in: `WorkspaceConfiguration.get` / `inspect` of the `templateMarketplace` section. */
export interface SettingsReader {
  get(key: string): unknown;
  inspect(key: string): { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined;
}

export interface ReadResult {
  settings: Settings;
  problems: SettingProblem[];
  /** Keys whose workspace value was ignored because the workspace is not trusted. */
  ignoredInRestrictedMode: string[];
}

/** The engine's source id rule (src/core/client/options.ts; a unit test keeps the two in step). */
export const MARKETPLACE_ID = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** The embedded sample marketplace's id (src/core/sample.ts): a marketplace of the settings cannot take it. */
export const SAMPLE_ID = 'samples';

/** Settings a malicious workspace could abuse: in Restricted Mode only the user's own value counts. */
export const RESTRICTED_KEYS = ['marketplaces', 'includeSampleMarketplace'] as const;

interface NumberSpec {
  key: string;
  default: number;
  min: number;
  max: number;
  integer: boolean;
}

/** Defaults and bounds, exactly as package.json declares them (a unit test checks that). */
export const NUMBER_SETTINGS = {
  memoryEntries: { key: 'cache.memoryEntries', default: 100_000, min: 1, max: 1_000_000, integer: true },
  memoryMB: { key: 'cache.memoryMB', default: 64, min: 1, max: 4096, integer: false },
  diskMB: { key: 'cache.diskMB', default: 256, min: 1, max: 65_536, integer: false },
  catalogRefreshMinutes: { key: 'catalogRefreshMinutes', default: 10, min: 1, max: 10_080, integer: false },
  downloadConcurrency: { key: 'downloadConcurrency', default: 8, min: 1, max: 64, integer: true },
  timeoutSeconds: { key: 'network.timeoutSeconds', default: 30, min: 1, max: 600, integer: false },
  retries: { key: 'network.retries', default: 2, min: 0, max: 10, integer: true },
  prefetchCount: { key: 'prefetchCount', default: 0, min: 0, max: 1000, integer: true },
  prefetchRelated: { key: 'prefetch.related', default: 3, min: 0, max: 20, integer: true },
} as const satisfies Record<string, NumberSpec>;

export const BOOLEAN_SETTINGS = {
  includeSampleMarketplace: { key: 'includeSampleMarketplace', default: true },
  statusBarEnabled: { key: 'statusBar.enabled', default: true },
} as const;

/** How many of the most popular templates Warm Up Cache fetches when `prefetchCount` is 0 (off). */
export const DEFAULT_WARM_UP_COUNT = 10;
/** The shortest overall deadline of one download (the engine's default). */
const MIN_DEADLINE_MS = 300_000;

const MARKETPLACE_KEYS = new Set(['id', 'url', 'publicKey', 'name']);
const SECRET_LIKE_KEYS = /^(token|accessToken|apiKey|password|secret|headers|authorization|auth)$/i;
const PUBLIC_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** Reads and checks every setting; an unusable value falls back to its default (or, for a marketplace, is skipped). */
export function readSettings(reader: SettingsReader, opts: { trusted: boolean }): ReadResult {
  const problems: SettingProblem[] = [];
  const ignoredInRestrictedMode: string[] = [];
  const value = (key: string): unknown => {
    if (!opts.trusted && (RESTRICTED_KEYS as readonly string[]).includes(key)) {
      // Belt and braces: VS Code already drops workspace values of restrictedConfigurations in Restricted Mode.
      const inspected = reader.inspect(key);
      if (inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined) ignoredInRestrictedMode.push(`${SETTINGS_SECTION}.${key}`);
      return inspected?.globalValue;
    }
    return reader.get(key);
  };
  const num = (spec: NumberSpec) => readNumber(value(spec.key), spec, problems);
  const bool = (spec: { key: string; default: boolean }) => readBoolean(value(spec.key), spec, problems);

  const includeSampleMarketplace = bool(BOOLEAN_SETTINGS.includeSampleMarketplace);
  const settings: Settings = {
    marketplaces: readMarketplaces(value('marketplaces'), problems),
    includeSampleMarketplace,
    cache: { memoryEntries: num(NUMBER_SETTINGS.memoryEntries), memoryMB: num(NUMBER_SETTINGS.memoryMB), diskMB: num(NUMBER_SETTINGS.diskMB) },
    catalogRefreshMinutes: num(NUMBER_SETTINGS.catalogRefreshMinutes),
    downloadConcurrency: num(NUMBER_SETTINGS.downloadConcurrency),
    network: { timeoutSeconds: num(NUMBER_SETTINGS.timeoutSeconds), retries: num(NUMBER_SETTINGS.retries) },
    prefetchCount: num(NUMBER_SETTINGS.prefetchCount),
    prefetchRelated: num(NUMBER_SETTINGS.prefetchRelated),
    statusBar: { enabled: bool(BOOLEAN_SETTINGS.statusBarEnabled) },
  };
  return { settings, problems, ignoredInRestrictedMode };
}

/** `templateMarketplace.marketplaces[1].publicKey: …`: what the log and the warning show. */
export function formatProblem(problem: SettingProblem): string {
  return `${problem.setting}: ${problem.message}`;
}

/** The setting to open for a problem: `templateMarketplace.marketplaces[1].url` → `templateMarketplace.marketplaces`. */
export function settingOf(problem: SettingProblem): string {
  return problem.setting.replace(/\[.*$/, '');
}

function readNumber(raw: unknown, spec: NumberSpec, problems: SettingProblem[]): number {
  if (raw === undefined || raw === null) return spec.default;
  const ok = typeof raw === 'number' && Number.isFinite(raw) && raw >= spec.min && raw <= spec.max && (!spec.integer || Number.isInteger(raw));
  if (ok) return raw;
  const message = spec.integer
    ? l10n.t('must be a whole number from {0} to {1}, got {2}; using {3}', spec.min, spec.max, describe(raw), spec.default)
    : l10n.t('must be a number from {0} to {1}, got {2}; using {3}', spec.min, spec.max, describe(raw), spec.default);
  problems.push({ setting: `${SETTINGS_SECTION}.${spec.key}`, message });
  return spec.default;
}

function readBoolean(raw: unknown, spec: { key: string; default: boolean }, problems: SettingProblem[]): boolean {
  if (raw === undefined || raw === null) return spec.default;
  if (typeof raw === 'boolean') return raw;
  problems.push({ setting: `${SETTINGS_SECTION}.${spec.key}`, message: l10n.t('must be true or false, got {0}; using {1}', describe(raw), String(spec.default)) });
  return spec.default;
}

function readMarketplaces(raw: unknown, problems: SettingProblem[]): MarketplaceSetting[] {
  const key = `${SETTINGS_SECTION}.marketplaces`;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push({ setting: key, message: l10n.t('must be a list of {0}; ignored', '{ id, url, publicKey, name? }') });
    return [];
  }
  const result: MarketplaceSetting[] = [];
  const firstIndexOf = new Map<string, number>();
  raw.forEach((entry: unknown, i) => {
    const at = `${key}[${i}]`;
    const fail = (field: string, message: string) => problems.push({ setting: field ? `${at}.${field}` : at, message });
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      fail('', l10n.t('must be an object {0}; this entry is skipped', '{ id, url, publicKey, name? }'));
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const field of Object.keys(e)) {
      if (MARKETPLACE_KEYS.has(field)) continue;
      if (SECRET_LIKE_KEYS.test(field)) fail(field, l10n.t('tokens are never read from settings; remove it and use the command "Set Marketplace Token..." instead'));
      else fail(field, l10n.t('unknown property; ignored'));
    }
    const idProblem = checkMarketplaceId(e.id);
    if (idProblem) return fail('id', l10n.t('{0}; this marketplace is skipped', idProblem));
    const id = e.id as string;
    const earlier = firstIndexOf.get(id);
    if (earlier !== undefined) return fail('id', l10n.t('"{0}" is already the id of marketplaces[{1}]; this marketplace is skipped', id, earlier));
    const urlProblem = checkMarketplaceUrl(e.url);
    if (urlProblem) return fail('url', l10n.t('{0}; this marketplace is skipped', urlProblem));
    const keyProblem = checkPublicKey(e.publicKey);
    if (keyProblem) return fail('publicKey', l10n.t('{0}; this marketplace is skipped', keyProblem));
    firstIndexOf.set(id, i);
    const m: MarketplaceSetting = { id, url: (e.url as string).trim(), publicKey: (e.publicKey as string).trim() };
    if (e.name !== undefined) {
      if (typeof e.name === 'string' && e.name.trim() !== '') m.name = e.name.trim();
      else fail('name', l10n.t('must be a non-empty string; the catalog name is used instead'));
    }
    result.push(m);
  });
  return result;
}

/** Why `value` is not a usable marketplace id, or undefined when it is one. */
export function checkMarketplaceId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return l10n.t('an id is required: lowercase letters and digits, with . _ - between them');
  if (value.length > 64) return l10n.t('"{0}" is too long (at most 64 characters)', value.slice(0, 64));
  if (!MARKETPLACE_ID.test(value)) return l10n.t('"{0}" is not a valid id: lowercase letters and digits, with . _ - between them', value);
  if (value === SAMPLE_ID) return l10n.t('"{0}" is reserved for the sample marketplace', value);
  return undefined;
}

/** Why `value` is not a usable marketplace URL (https:, http: or file:, no credentials), or undefined. */
export function checkMarketplaceUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return l10n.t('a URL is required (https:, http: or file:)');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return l10n.t('"{0}" is not a URL', redactUrl(value.trim()));
  }
  if (!['https:', 'http:', 'file:'].includes(url.protocol)) return l10n.t('"{0}" is not supported: use an https:, http: or file: URL', url.protocol);
  if (url.username !== '' || url.password !== '') return l10n.t('the URL must not contain credentials; use the command "Set Marketplace Token..." for a private marketplace');
  if (url.search !== '' || url.hash !== '') return l10n.t('the URL must be the marketplace root, without a query or fragment');
  return undefined;
}

/** Why `value` is not a catalog public key (standard base64 of 32 bytes), or undefined. */
export function checkPublicKey(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return l10n.t('the catalog public key is required (base64 of 32 bytes)');
  if (!PUBLIC_KEY.test(value.trim())) return l10n.t('not a public key: expected base64 of 32 bytes (44 characters ending in "=")');
  return undefined;
}

/**
 * A marketplace id made from a URL: its host without "www." (the last path segment for file:),
 * in the id alphabet, made unique against `taken` with a numeric suffix.
 */
export function deriveMarketplaceId(rawUrl: string, taken: ReadonlySet<string>): string {
  let base = '';
  try {
    const url = new URL(rawUrl.trim());
    base = url.protocol === 'file:' ? safeDecode(url.pathname.split('/').filter(Boolean).pop() ?? '') : url.hostname.replace(/^www\./, '');
  } catch {
    // fall through to the generic id
  }
  base = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 48)
    .replace(/[._-]+$/, '');
  if (!base || base === SAMPLE_ID) base = base ? `${base}-1` : 'marketplace';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Everything besides the settings that the engine options need. */
export interface OptionsContext {
  /** The embedded sample source (from the engine's `sampleSource`), used when `includeSampleMarketplace`. */
  sample: SourceConfig;
  cacheDir: string;
  /** Token per marketplace id, from SecretStorage. */
  tokens: ReadonlyMap<string, string>;
  proxy?: ProxyOptions;
  userAgent?: string;
}

/** Settings → `MarketplaceClientOptions`. A token becomes its marketplace's Authorization header (sent to its origin only). */
export function toClientOptions(settings: Settings, ctx: OptionsContext): MarketplaceClientOptions {
  const MB = 1024 * 1024;
  const sources: SourceConfig[] = [];
  if (settings.includeSampleMarketplace) sources.push(ctx.sample);
  for (const m of settings.marketplaces) {
    const source: SourceConfig = { id: m.id, url: m.url, publicKey: m.publicKey, ...(m.name ? { name: m.name } : {}) };
    const token = ctx.tokens.get(m.id);
    if (token && !m.url.startsWith('file:')) source.headers = { authorization: bearer(token) };
    sources.push(source);
  }
  const timeoutMs = Math.round(settings.network.timeoutSeconds * 1000);
  // One download, retries included, may take 5 minutes, or longer when the timeout asks for more:
  // a user who allows 10 minutes per request must not be cut off at 5.
  const deadlineMs = Math.max(MIN_DEADLINE_MS, timeoutMs * (settings.network.retries + 1));
  return {
    sources,
    cacheDir: ctx.cacheDir,
    memory: { maxEntries: settings.cache.memoryEntries, maxBytes: Math.round(settings.cache.memoryMB * MB) },
    disk: { maxBytes: Math.round(settings.cache.diskMB * MB) },
    catalogTtlMs: Math.round(settings.catalogRefreshMinutes * 60_000),
    concurrency: settings.downloadConcurrency,
    prefetchPopular: settings.prefetchCount,
    prefetchRelated: settings.prefetchRelated,
    http: {
      connectTimeoutMs: timeoutMs,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
      deadlineMs,
      retries: settings.network.retries,
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
      ...(ctx.proxy ? { proxy: ctx.proxy } : {}),
    },
  };
}

/** `Bearer <token>`; a pasted "Bearer …" is not doubled. */
export function bearer(token: string): string {
  const t = token.trim();
  return /^bearer\s+/i.test(t) ? `Bearer ${t.replace(/^bearer\s+/i, '')}` : `Bearer ${t}`;
}

/** Why a token cannot be sent as a header value (line breaks, control characters), or undefined. */
export function checkToken(token: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(token)) return l10n.t('the token must be on one line, without control characters');
  if (/\s/.test(token.trim().replace(/^bearer\s+/i, ''))) return l10n.t('the token must not contain spaces');
  return undefined;
}

/** Which parts a configuration change touches: the engine (rebuild) or only the status bar (in place). */
export function classifyChange(affects: (section: string) => boolean): { engine: boolean; statusBar: boolean } {
  const engine =
    ['marketplaces', 'includeSampleMarketplace', 'cache', 'catalogRefreshMinutes', 'downloadConcurrency', 'network', 'prefetchCount', 'prefetch'].some((k) =>
      affects(`${SETTINGS_SECTION}.${k}`),
    ) || ['http.proxy', 'http.noProxy', 'http.proxyStrictSSL', 'http.proxyAuthorization'].some((k) => affects(k));
  return { engine, statusBar: affects(`${SETTINGS_SECTION}.statusBar`) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** A URL for a message: never with its credentials. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1***@');
}
