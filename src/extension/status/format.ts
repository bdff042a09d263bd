import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import type { MetricsSnapshot, SourceStatus, Tier } from '../../core';
import { l10n } from '../l10n';
import { formatBytes, formatCount } from '../views/format';

/**
 * Pure formatting of the cache status bar item and of the metrics document: text, Markdown
 * tooltip and screen-reader label from a metrics snapshot, the cache sizes and the sources' status.
 */

export interface CacheSizes {
  memory: { entries: number; bytes: number };
  disk: { entries: number; bytes: number };
}

export interface CacheLimits {
  memoryEntries: number;
  memoryBytes: number;
  diskBytes: number;
}

export interface StatusInputs {
  snapshot: MetricsSnapshot;
  busy: boolean;
  /** Fetched lazily (a disk scan); absent until the first answer. */
  sizes?: CacheSizes;
  limits: CacheLimits;
  sources: readonly Pick<SourceStatus, 'id' | 'name' | 'state' | 'templates' | 'checkedAt' | 'expired' | 'version'>[];
  /** Epoch ms, for "checked 3 min ago". */
  now: number;
}

/** Reads that reached the first tier: nothing to show a ratio for until there is one. */
function lookups(s: MetricsSnapshot): number {
  return s.tiers.memory.hits + s.tiers.memory.misses;
}

/** `$(database) 94% · 12/s`, `$(sync~spin) 94% · 12/s` while a batch runs, `$(database) —` before any read. */
export function statusText(snapshot: MetricsSnapshot, busy: boolean): string {
  const icon = busy ? '$(sync~spin)' : '$(database)';
  if (lookups(snapshot) === 0) return `${icon} —`;
  const rate = snapshot.throughput.templatesPerSec;
  return rate > 0 ? `${icon} ${formatPercent(snapshot.hitRatio)} · ${formatRate(rate)}` : `${icon} ${formatPercent(snapshot.hitRatio)}`;
}

/** What a screen reader says for the item: whole words, no icons. */
export function statusAccessibilityLabel(snapshot: MetricsSnapshot, busy: boolean): string {
  const parts: string[] = [];
  if (lookups(snapshot) === 0) parts.push(l10n.t('Template Marketplace cache: no reads yet'));
  else parts.push(l10n.t('Template Marketplace cache: {0} hit ratio', formatPercent(snapshot.hitRatio)));
  const rate = snapshot.throughput.templatesPerSec;
  if (rate > 0) parts.push(l10n.t('{0} templates per second', formatNumber(rate)));
  if (busy) parts.push(l10n.t('working'));
  return parts.join(', ');
}

/** The Markdown tooltip: hits and misses per tier, latencies, sizes against limits, and each catalog's freshness. */
export function statusTooltip(inputs: StatusInputs, opts: { footer?: boolean } = {}): string {
  const { snapshot: s } = inputs;
  const lines: string[] = [];
  lines.push(`**${escapeMarkdown(l10n.t('Template Marketplace Cache'))}**${inputs.busy ? ` · ${escapeMarkdown(l10n.t('working…'))}` : ''}`, '');

  const tierLabel: Record<Tier, string> = { memory: l10n.t('Memory'), disk: l10n.t('Disk'), network: l10n.t('Network') };
  lines.push(row([l10n.t('Tier'), l10n.t('Hits'), l10n.t('Misses'), l10n.t('Hit ratio')]), '|:--|--:|--:|--:|');
  for (const tier of ['memory', 'disk', 'network'] as const) {
    const t = s.tiers[tier];
    lines.push(row([tierLabel[tier], formatCount(t.hits), formatCount(t.misses), t.hits + t.misses > 0 ? formatPercent(t.hitRatio) : '—']));
  }
  lines.push('');

  const ops = Object.entries(s.latency).filter(([, l]) => l.count > 0);
  if (ops.length > 0) {
    lines.push(row([l10n.t('Operation'), l10n.t('Count'), 'p50', 'p95']), '|:--|--:|--:|--:|');
    for (const [op, l] of ops.sort(([a], [b]) => a.localeCompare(b))) lines.push(row([op, formatCount(l.count), formatMs(l.p50), formatMs(l.p95)]));
    lines.push('');
  }

  lines.push(row([l10n.t('Cache'), l10n.t('Used'), l10n.t('Limit')]), '|:--|--:|--:|');
  const { sizes, limits } = inputs;
  lines.push(
    row([
      tierLabel.memory,
      sizes ? entriesAndBytes(sizes.memory.entries, sizes.memory.bytes) : '…',
      entriesAndBytes(limits.memoryEntries, limits.memoryBytes),
    ]),
    row([tierLabel.disk, sizes ? entriesAndBytes(sizes.disk.entries, sizes.disk.bytes) : '…', formatBytes(limits.diskBytes)]),
    '',
  );

  if (inputs.sources.length > 0) {
    lines.push(row([l10n.t('Marketplace'), l10n.t('State'), l10n.t('Templates'), l10n.t('Checked')]), '|:--|:--|--:|--:|');
    for (const src of inputs.sources) {
      const checked = src.checkedAt === undefined ? l10n.t('never') : formatAge(inputs.now - src.checkedAt);
      lines.push(row([src.name || src.id, stateLabel(src.state, src.expired), formatCount(src.templates), checked]));
    }
    lines.push('');
  }

  const rate = s.throughput.templatesPerSec;
  const downloads =
    s.totals.downloads === 1 ? l10n.t('1 download ({0})', formatBytes(s.totals.downloadedBytes)) : l10n.t('{0} downloads ({1})', formatCount(s.totals.downloads), formatBytes(s.totals.downloadedBytes));
  const errors = s.totals.errors === 1 ? l10n.t('1 error') : l10n.t('{0} errors', formatCount(s.totals.errors));
  lines.push(
    escapeMarkdown(
      l10n.t(
        'Throughput {0} templates/s · {1}/s over {2} s. {3}, {4}. Compression saved {5}.',
        formatNumber(rate),
        formatBytes(s.throughput.bytesPerSec),
        Math.round(s.throughput.windowMs / 1000),
        downloads,
        errors,
        formatBytes(Math.max(0, s.compression.bytesSaved)),
      ),
    ),
  );
  if (opts.footer !== false) lines.push('', escapeMarkdown(l10n.t('Click to open the dashboard.')));
  return lines.join('\n');
}

/** The metrics document (Show Dashboard until the dashboard webview exists): the tooltip's tables plus the raw snapshot. */
export function metricsDocument(inputs: StatusInputs): string {
  const title = l10n.t('Template Marketplace Metrics');
  const taken = l10n.t('Snapshot taken {0}.', new Date(inputs.snapshot.at).toISOString());
  const body = statusTooltip(inputs, { footer: false }).trimEnd();
  return `# ${escapeMarkdown(title)}\n\n${escapeMarkdown(taken)}\n\n${body}\n\n## ${escapeMarkdown(l10n.t('Raw snapshot'))}\n\n\`\`\`json\n${JSON.stringify(inputs.snapshot, null, 2)}\n\`\`\`\n`;
}

function stateLabel(state: SourceStatus['state'], expired: boolean): string {
  const label =
    state === 'fresh'
      ? l10n.t('fresh')
      : state === 'stale'
        ? l10n.t('stale')
        : state === 'offline'
          ? l10n.t('offline')
          : state === 'error'
            ? l10n.t('error')
            : l10n.t('not loaded');
  return expired ? l10n.t('{0}, expired', label) : label;
}

function entriesAndBytes(entries: number, bytes: number): string {
  return entries === 1 ? l10n.t('1 entry · {0}', formatBytes(bytes)) : l10n.t('{0} entries · {1}', formatCount(entries), formatBytes(bytes));
}

function row(cells: string[]): string {
  return `| ${cells.map(escapeMarkdown).join(' | ')} |`;
}

/** Catalog names are third-party text: nothing in them may become Markdown (links, emphasis, table cells, HTML). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** 0.944 → "94%"; never rounds up to 100% or down to 0% when it is not exactly that. */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '0%';
  if (ratio >= 1) return '100%';
  const pct = Math.min(99, Math.max(1, Math.round(ratio * 100)));
  return `${pct}%`;
}

/** Templates per second: "0.4/s", "2.5/s", "12/s". */
export function formatRate(perSec: number): string {
  return `${formatNumber(perSec)}/s`;
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '0';
  return n < 10 ? (Math.round(n * 10) / 10).toString() : Math.round(n).toString();
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** 42_000 → "42 s ago", "3 min ago", "2 h ago", "5 d ago"; a clock skew reads "just now". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 5_000) return l10n.t('just now');
  const s = Math.floor(ms / 1000);
  if (s < 60) return l10n.t('{0} s ago', s);
  const m = Math.floor(s / 60);
  if (m < 60) return l10n.t('{0} min ago', m);
  const h = Math.floor(m / 60);
  if (h < 48) return l10n.t('{0} h ago', h);
  return l10n.t('{0} d ago', Math.floor(h / 24));
}
