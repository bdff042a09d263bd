export * from './histogram';
export * from './metrics';
export * from './slidingWindow';
