export * from './createFetcher';
export * from './fileFetcher';
export * from './httpClient';
export * from './httpFetcher';
export * from './types';
