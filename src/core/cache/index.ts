export { DiskCache, type CacheProblem, type DiskCacheOptions, type DiskCacheStats, type GcResult, type SetResult } from './diskCache';
export { MemoryCache, type MemoryCacheOptions } from './memoryCache';
export type { CachedItem, EntryMeta, GetOptions, RecordListing, SetOptions } from './types';
