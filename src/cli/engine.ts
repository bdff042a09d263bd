import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFile } from 'node:fs/promises';
import { MarketplaceClient, findSampleMarketplace, sampleSource, type SourceConfig } from '../core';
import { NotFoundError, UsageError } from '../core/errors';
import type { CliIo } from './io';

/** Options every engine command (search, verify, install) shares. */
export const ENGINE_OPTIONS = {
  source: { type: 'string' },
  key: { type: 'string' },
  cache: { type: 'string' },
  concurrency: { type: 'string' },
} as const;

export const ENGINE_USAGE = '[--source <url|dir> --key <pub.json|base64>] [--cache <dir>]';
export const ENGINE_DETAILS = [
  'Reads the embedded sample marketplace unless --source names another (an https: URL or a folder),',
  'whose catalog key must then be pinned with --key (a marketplace.pub.json file or base64).',
  'Caches in --cache (default: $XDG_CACHE_HOME/template-marketplace or ~/.cache/template-marketplace).',
];

/** Opens a client for one marketplace from the command line's options. */
export async function openClient(
  values: { source?: string; key?: string; cache?: string; concurrency?: string },
  io: CliIo,
): Promise<MarketplaceClient> {
  const source = await sourceFromOptions(values, io);
  const cacheDir = values.cache
    ? resolve(io.cwd, values.cache)
    : join(io.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'template-marketplace');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new UsageError(`--concurrency expects a positive integer, got "${values.concurrency}"`);
  }
  return MarketplaceClient.open({ sources: [source], cacheDir, ...(concurrency ? { concurrency } : {}) });
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
