import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { MarketplaceClient, findSampleMarketplace, sampleSource, type HttpClientOptions, type SourceConfig } from '../core';
import { NotFoundError, UsageError } from '../core/errors';
import { readProvenance } from '../core/provenance';
import { integerOption } from './args';
import type { CliIo } from './io';

/** Options every engine command (search, verify, install) shares. */
export const ENGINE_OPTIONS = {
  source: { type: 'string' },
  key: { type: 'string' },
  cache: { type: 'string' },
  concurrency: { type: 'string' },
  deadline: { type: 'string' },
  'min-speed': { type: 'string' },
  'min-speed-window': { type: 'string' },
} as const;

export type EngineValues = {
  source?: string;
  key?: string;
  cache?: string;
  concurrency?: string;
  deadline?: string;
  'min-speed'?: string;
  'min-speed-window'?: string;
};

/** Defaults of the network limits, as HttpClient applies them (kept here for the help text). */
const DEFAULT_MIN_SPEED = { bytesPerSecond: 1024, windowMs: 30_000 };

export const ENGINE_USAGE =
  '[--source <url|dir> --key <pub.json|base64>] [--cache <dir>] [--deadline <s>] [--min-speed <bytes/s>] [--min-speed-window <s>]';
export const ENGINE_DETAILS = [
  'Reads the embedded sample marketplace unless --source names another (an https: URL or a folder),',
  'whose catalog key must then be pinned with --key (a marketplace.pub.json file or base64).',
  'Caches in --cache (default: $XDG_CACHE_HOME/template-marketplace or ~/.cache/template-marketplace).',
  'Every download ends within --deadline seconds, retries included (default 300), and is cut off when it',
  'brings less than --min-speed bytes/s over any --min-speed-window seconds (default 1024 over 30).',
];

/**
 * Opens a client for one marketplace from the command line's options. With `recordDir` (commands
 * that read a folder's record), the source takes the marketplace id the record uses for the same
 * URL, so a folder installed from VS Code (where marketplaces have their own ids) is recognised.
 */
export async function openClient(values: EngineValues, io: CliIo, opts: { recordDir?: string } = {}): Promise<MarketplaceClient> {
  const http = networkOptions(values);
  let source = await sourceFromOptions(values, io);
  if (opts.recordDir !== undefined) source = { ...source, id: await recordedSourceId(opts.recordDir, source) };
  const cacheDir = values.cache
    ? resolve(io.cwd, values.cache)
    : join(io.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'template-marketplace');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new UsageError(`--concurrency expects a positive integer, got "${values.concurrency}"`);
  }
  return MarketplaceClient.open({ sources: [source], cacheDir, http, ...(concurrency ? { concurrency } : {}) });
}

/** The id the record in `dir` gives the marketplace at `source.url`, else the source's own id. */
async function recordedSourceId(dir: string, source: SourceConfig): Promise<string> {
  let record;
  try {
    record = await readProvenance(dir);
  } catch {
    return source.id; // the command reads the record itself and reports what is wrong with it
  }
  const url = sameUrlKey(source.url);
  const ids = new Set(record.entries.filter((e) => sameUrlKey(e.marketplace.url) === url).map((e) => e.marketplace.id));
  return ids.size === 1 ? [...ids][0]! : source.id;
}

/** A marketplace URL as records store it: no credentials, query or fragment; a final "/". */
function sameUrlKey(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
    return parsed.href;
  } catch {
    return url;
  }
}

/** --deadline, --min-speed and --min-speed-window as HttpClientOptions. */
export function networkOptions(values: EngineValues): HttpClientOptions {
  const deadlineMs = secondsOption(values.deadline, '--deadline');
  const windowMs = secondsOption(values['min-speed-window'], '--min-speed-window');
  const bytesPerSecond = integerOption(values['min-speed'], '--min-speed', { min: 1, max: 1024 ** 3 });
  const minSpeed =
    windowMs === undefined && bytesPerSecond === undefined
      ? undefined
      : { bytesPerSecond: bytesPerSecond ?? DEFAULT_MIN_SPEED.bytesPerSecond, windowMs: windowMs ?? DEFAULT_MIN_SPEED.windowMs };
  return { ...(deadlineMs !== undefined ? { deadlineMs } : {}), ...(minSpeed ? { minSpeed } : {}) };
}

/** A positive number of seconds (fractions allowed, at most a day) as whole milliseconds. */
function secondsOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d+(?:\.\d+)?$/.test(value) ? Number(value) : NaN;
  const ms = Math.round(seconds * 1000);
  if (!(ms >= 1 && ms <= 86_400_000)) throw new UsageError(`${flag} expects a number of seconds from 0.001 to 86400, got "${value}"`);
  return ms;
}

async function sourceFromOptions(values: { source?: string; key?: string }, io: CliIo): Promise<SourceConfig> {
  if (values.source === undefined) {
    if (values.key !== undefined) throw new UsageError('--key goes with --source');
    const dir = findSampleMarketplace(__dirname);
    if (!dir) throw new NotFoundError('the embedded sample marketplace (media/sample-marketplace) was not found next to the CLI');
    return sampleSource(dir);
  }
  if (values.key === undefined) throw new UsageError('--source needs --key: the marketplace catalog key to pin');
  const url = /^(https?|file):/.test(values.source) ? values.source : pathToFileURL(resolve(io.cwd, values.source) + '/').href;
  return { id: 'cli', url, publicKey: await readPublicKeyOption(values.key, io) };
}

async function readPublicKeyOption(value: string, io: CliIo): Promise<SourceConfig['publicKey']> {
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return value;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, value), 'utf8');
  } catch {
    throw new UsageError(`--key: "${value}" is neither a base64 public key nor a readable file`);
  }
  try {
    return JSON.parse(text) as { publicKey: string };
  } catch {
    throw new UsageError(`--key: ${value} is not a JSON public key file`);
  }
}
