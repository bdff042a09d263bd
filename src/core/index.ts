/**
 * The Template Marketplace engine. Plain Node, no VS Code: the extension and the CLI are thin
 * layers over `MarketplaceClient`.
 */
export * from './client';
export type { ListedTemplate, SourceConfig, SourceState, SourceStatus } from './catalog/types';
export type { SearchQuery, SearchHit } from './catalog/searchIndex';
export type { ConflictPolicy, InstallOptions, InstallPlan, InstallResult, RenderedPackage } from './install/installer';
export type { TemplateManifest, TemplateVariable, TemplatePackage } from './format';
export { compileVariablePattern, type VariablePattern } from './format';
export type { HttpClientOptions } from './net/httpClient';
export { parseNoProxy, type NoProxyList } from './net/noProxy';
export type { ProxyOptions } from './net/proxy';
export { Metrics, type MetricsSnapshot, type Tier, type LatencySummary } from './metrics/metrics';

export { displayText, isDisplaySafe, type DisplayTextOptions } from './util/displayText';

export * from './errors';
export * from './sample';
export * from './provenance';
export * from './update';
export * from './stats/types';
export { buildStats, collectStats, type StatsInput } from './stats/collect';
export { measureTiers, type MeasureTiersOptions } from './stats/measureTiers';
