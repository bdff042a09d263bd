export * from './installer';
