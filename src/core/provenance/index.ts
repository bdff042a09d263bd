export * from './types';
export * from './paths';
export * from './keys';
export * from './parse';
export * from './serialize';
export * from './entries';
export * from './store';
export * from './url';
