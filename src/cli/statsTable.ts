import type { StatsSnapshot } from '../core';

/**
 * The stats snapshot as plain text tables, for `stats` and `verify --stats`: the same figures the
 * dashboard shows (hit ratios, throughput, latency per operation, occupancy, verification, errors,
 * marketplaces). Pure, so it is tested as text.
 */
export function statsTable(s: StatsSnapshot): string[] {
  const m = s.metrics;
  const out: string[] = [];
  const tiers = m.tiers;
  out.push('cache');
  out.push(...table(
    ['tier', 'hits', 'misses', 'hit ratio'],
    [
      ['overall', String(tiers.memory.hits + tiers.disk.hits), String(tiers.disk.misses), pct(m.hitRatio)],
      ...(['memory', 'disk', 'network'] as const).map((t) => [t, String(tiers[t].hits), String(tiers[t].misses), pct(tiers[t].hitRatio)]),
    ],
  ));
  const t = m.throughput;
  out.push('');
  out.push(`throughput (last ${Math.round(t.windowMs / 1000)} s): ${rate(t.templatesPerSec)} templates/s downloaded, ${mbps(t.bytesPerSec)} MB/s, ${rate(t.servedPerSec)} templates/s served from any tier`);
  out.push(`totals: ${m.totals.downloads} downloaded (${bytes(m.totals.downloadedBytes)}), ${m.totals.errors} errors; compression saved ${bytes(m.compression.bytesSaved)}`);

  const ops = Object.entries(m.latency);
  if (ops.length > 0) {
    out.push('');
    out.push('latency');
    out.push(...table(['operation', 'count', 'p50', 'p95', 'p99', 'max'], ops.map(([op, l]) => [op, String(l.count), ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max)])));
  }

  const o = s.occupancy;
  out.push('');
  out.push('occupancy');
  out.push(...table(
    ['tier', 'entries', 'bytes', 'limit', 'used'],
    [
      ['memory', `${o.memory.entries} of ${o.memory.maxEntries}`, bytes(o.memory.bytes), bytes(o.memory.maxBytes), pct(o.memory.maxBytes > 0 ? o.memory.bytes / o.memory.maxBytes : 0)],
      o.disk ? ['disk', String(o.disk.entries), bytes(o.disk.bytes), bytes(o.disk.maxBytes), pct(o.disk.maxBytes > 0 ? o.disk.bytes / o.disk.maxBytes : 0)] : ['disk', '-', '-', '-', '-'],
    ],
  ));

  const v = m.verification;
  out.push('');
  out.push(`verification: ${v.verified} verified (${v.cacheHits} from the verification cache), ${v.failures} failed${counts(m.verificationFailures)}`);
  out.push(`errors by code: ${Object.keys(m.errorsByCode).length === 0 ? 'none' : counts(m.errorsByCode).slice(2)}`);

  out.push('');
  out.push('marketplaces');
  out.push(...table(
    ['id', 'state', 'version', 'checked', 'expires', 'templates'],
    s.sources.map((src) => [
      src.id,
      src.state + (src.expired ? ' (expired)' : ''),
      src.version === undefined ? '-' : String(src.version),
      src.ageMs === undefined ? '-' : `${age(src.ageMs)} ago`,
      src.expires ?? '-',
      String(src.templates),
    ]),
  ));
  for (const src of s.sources) if (src.error) out.push(`  ${src.id}: error[${src.error.code}]: ${src.error.message}`);
  return out;
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // First column left-aligned, the figures right-aligned.
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function counts(c: Record<string, number>): string {
  const entries = Object.entries(c).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? '' : `: ${entries.map(([code, n]) => `${code} ${n}`).join(', ')}`;
}

const pct = (r: number) => `${(Math.min(1, Math.max(0, r)) * 100).toFixed(1)}%`;
const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const mbps = (bps: number) => (bps / 1_000_000).toFixed(2);

function ms(v: number): string {
  return v < 1 ? `${(v * 1000).toFixed(0)} µs` : v < 1000 ? `${v.toFixed(v < 10 ? 2 : 1)} ms` : `${(v / 1000).toFixed(2)} s`;
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function age(msAgo: number): string {
  const s = Math.round(msAgo / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
