/** Every id the extension shares with package.json: commands, views, context keys, settings, secrets. */

export const EXTENSION_ID = 'template-marketplace.template-marketplace';

export const Commands = {
  // Install and verify
  installTemplate: 'templateMarketplace.installTemplate',
  installTemplates: 'templateMarketplace.installTemplates',
  installSelected: 'templateMarketplace.installSelected',
  verifyTemplates: 'templateMarketplace.verifyTemplates',
  verifySelected: 'templateMarketplace.verifySelected',
  verifyTemplate: 'templateMarketplace.verifyTemplate',
  // Sidebar
  search: 'templateMarketplace.search',
  filter: 'templateMarketplace.filter',
  sort: 'templateMarketplace.sort',
  clearFilter: 'templateMarketplace.clearFilter',
  preview: 'templateMarketplace.preview',
  copyId: 'templateMarketplace.copyId',
  // Installed templates and updates
  updateTemplate: 'templateMarketplace.updateTemplate',
  updateAll: 'templateMarketplace.updateAll',
  refreshInstalled: 'templateMarketplace.refreshInstalled',
  revealInstalled: 'templateMarketplace.revealInstalled',
  completeMerge: 'templateMarketplace.completeMerge',
  // Marketplaces and cache
  refresh: 'templateMarketplace.refresh',
  addMarketplace: 'templateMarketplace.addMarketplace',
  removeMarketplace: 'templateMarketplace.removeMarketplace',
  setToken: 'templateMarketplace.setToken',
  clearCache: 'templateMarketplace.clearCache',
  warmUp: 'templateMarketplace.warmUp',
  showLog: 'templateMarketplace.showLog',
  showDashboard: 'templateMarketplace.showDashboard',
  openSettings: 'templateMarketplace.openSettings',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  container: 'templateMarketplace',
  templates: 'templateMarketplace.views.templates',
  installed: 'templateMarketplace.installed',
} as const;

/** Our context keys, set only through `setContext` in ui/context.ts. */
export const ContextKeys = {
  /** true once a load found no usable marketplace at all: the welcome view shows. */
  loadFailed: 'templateMarketplace.loadFailed',
  /** Why: `none` (no marketplace configured), `offline`, `refused` (signature, rollback, expiry…) or `other`. */
  loadFailure: 'templateMarketplace.loadFailure',
  /** true while a search, category, tag filter is active: "Clear Filter" shows. */
  filtered: 'templateMarketplace.filtered',
  /** true when an installed template of the workspace has a newer version: "Update All" shows. */
  updatesAvailable: 'templateMarketplace.updatesAvailable',
} as const;

export const SETTINGS_SECTION = 'templateMarketplace';

/** Tokens of private marketplaces live in SecretStorage only, one key per marketplace id. */
export type SecretKey = `templateMarketplace.token/${string}`;
export const tokenSecretKey = (sourceId: string): SecretKey => `templateMarketplace.token/${sourceId}`;

/** URI schemes of our read-only documents (ui/readonlyDocs.ts): install diffs, the metrics document. */
export const Schemes = {
  readonly: 'template-marketplace-doc',
  /** In-memory merge results of Update Template (update/mergeFs.ts). */
  merge: 'template-marketplace-merge',
} as const;

/** The cache status bar item's id (its entry in the status bar's hide menu). */
export const STATUS_BAR_ID = 'templateMarketplace.cache';
