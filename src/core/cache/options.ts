import { FormatError } from '../errors';

/** Option checks shared by both tiers: a bad bound would silently disable caching or eviction. */
export function requirePositiveInteger(owner: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new FormatError(`must be a positive integer, got ${String(value)}`, owner, field);
  }
  return value;
}

export function requireDuration(owner: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new FormatError(`must be a finite number of milliseconds >= 0, got ${String(value)}`, owner, field);
  }
  return value;
}
