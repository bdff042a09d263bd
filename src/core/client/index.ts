export * from './batch';
export * from './MarketplaceClient';
export * from './options';
