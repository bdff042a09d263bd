export * from './createFetcher';
export * from './fileFetcher';
export * from './httpClient';
export * from './httpFetcher';
export * from './noProxy';
export * from './originHeaders';
export * from './proxy';
export * from './types';
