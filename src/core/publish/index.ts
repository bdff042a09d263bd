
export * from './layout';
export * from './lock';
export * from './packDir';
export * from './publish';
export * from './semver';
export * from './signedCatalog';
