import { FormatError } from '../errors';
import type { FetchOptions } from './types';

/** Rejects options no download could honour, before any work starts. */
export function checkFetchOptions(opts: FetchOptions): void {
  if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes < 0) {
    throw new FormatError(`must be a non-negative integer, got ${opts.maxBytes}`, 'FetchOptions', 'maxBytes');
  }
}
