export * from './searchIndex';
export * from './sourceCatalog';
export * from './trustStore';
export * from './types';
export * from './verifyCatalog';
