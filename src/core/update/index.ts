export * from './diff';
export * from './lines';
export * from './merge3';
export * from './plan';
export * from './status';
export * from './proposal';
