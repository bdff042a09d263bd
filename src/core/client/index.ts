export * from './batch';
export * from './MarketplaceClient';
export * from './options';
export type { ApplyUpdateOptions, PrepareUpdateOptions, UpdateResult } from './updates';
export type { InstalledCheck, InstalledVerification } from './verifyInstalled';
