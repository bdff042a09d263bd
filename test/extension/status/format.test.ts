import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics, type MetricsSnapshot } from '../../../src/core/metrics/metrics';
import {
  escapeMarkdown,
  formatAge,
  formatMs,
  formatPercent,
  formatRate,
  metricsDocument,
  statusAccessibilityLabel,
  statusText,
  statusTooltip,
  type StatusInputs,
} from '../../../src/extension/status/format';

function snapshot(over: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return { ...new Metrics({ now: () => 1_000 }).snapshot(), ...over };
}

function withReads(hits: number, misses: number, rate = 0): MetricsSnapshot {
  const s = snapshot();
  return {
    ...s,
    tiers: { ...s.tiers, memory: { hits, misses, hitRatio: hits / (hits + misses) } },
    hitRatio: hits / (hits + misses),
    throughput: { ...s.throughput, templatesPerSec: rate },
  };
}

const inputs = (over: Partial<StatusInputs> = {}): StatusInputs => ({
  snapshot: withReads(94, 6, 12),
  busy: false,
  limits: { memoryEntries: 500, memoryBytes: 64 * 1024 * 1024, diskBytes: 256 * 1024 * 1024 },
  sources: [{ id: 'samples', name: 'Sample Templates', state: 'fresh', templates: 20, checkedAt: 1_000_000 - 180_000, expired: false, version: 3 }],
  now: 1_000_000,
  ...over,
});

describe('statusText', () => {
  it('shows the hit ratio and the current templates/s', () => {
    assert.equal(statusText(withReads(94, 6, 12), false), '$(database) 94% · 12/s');
    assert.equal(statusText(withReads(94, 6, 2.46), false), '$(database) 94% · 2.5/s');
  });

  it('leaves the rate out when idle, and shows a dash before any read', () => {
    assert.equal(statusText(withReads(1, 3, 0), false), '$(database) 25%');
    assert.equal(statusText(snapshot(), false), '$(database) —');
  });

  it('spins while a batch runs', () => {
    assert.equal(statusText(withReads(94, 6, 12), true), '$(sync~spin) 94% · 12/s');
    assert.equal(statusText(snapshot(), true), '$(sync~spin) —');
  });

  it('has one icon and stays short', () => {
    const text = statusText(withReads(99_999, 1, 1234.5), true);
    assert.equal(text.match(/\$\(/g)?.length, 1);
    assert.ok(text.length <= 30, text);
  });
});

describe('formatPercent / formatRate', () => {
  it('never rounds to 100% or 0% unless it is exactly that', () => {
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.001), '1%');
    assert.equal(formatPercent(0.944), '94%');
    assert.equal(formatPercent(0.996), '99%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(Number.NaN), '0%');
  });

  it('keeps one decimal below 10/s', () => {
    assert.equal(formatRate(0.04), '0/s');
    assert.equal(formatRate(0.44), '0.4/s');
    assert.equal(formatRate(9.96), '10/s');
    assert.equal(formatRate(123.4), '123/s');
  });
});

describe('statusAccessibilityLabel', () => {
  it('reads as words, without icon syntax', () => {
    assert.equal(statusAccessibilityLabel(withReads(94, 6, 12), true), 'Template Marketplace cache: 94% hit ratio, 12 templates per second, working');
    assert.equal(statusAccessibilityLabel(snapshot(), false), 'Template Marketplace cache: no reads yet');
  });
});

describe('statusTooltip', () => {
  it('has a table of tiers, latencies, sizes against limits and catalog freshness', () => {
    const md = statusTooltip(
      inputs({
        snapshot: {
          ...withReads(94, 6, 12),
          latency: { download: { count: 10, p50: 12.34, p95: 250, p99: 300, max: 400 }, search: { count: 3, p50: 0.5, p95: 0.9, p99: 1, max: 1 } },
        },
        sizes: { memory: { entries: 42, bytes: 3 * 1024 * 1024 }, disk: { entries: 100, bytes: 20 * 1024 * 1024 } },
      }),
    );
    assert.match(md, /\| Memory \| 94 \| 6 \| 94% \|/);
    assert.match(md, /\| Disk \| 0 \| 0 \| — \|/);
    assert.match(md, /\| download \| 10 \| 12\.3 ms \| 250 ms \|/);
    assert.match(md, /\| search \| 3 \| 0\.50 ms \| 0\.90 ms \|/);
    assert.match(md, /\| Memory \| 42 entries · 3 MB \| 500 entries · 64 MB \|/);
    assert.match(md, /\| Disk \| 100 entries · 20 MB \| 256 MB \|/);
    assert.match(md, /\| Sample Templates \| fresh \| 20 \| 3 min ago \|/);
    assert.match(md, /Click to open the dashboard\./);
    assert.match(md, /0 downloads \(0 B\), 0 errors\./);
  });

  it('groups the digits of large counts, like the default entry cap of the memory tier', () => {
    const md = statusTooltip(inputs({ limits: { memoryEntries: 100_000, memoryBytes: 64 * 1024 * 1024, diskBytes: 256 * 1024 * 1024 } }));
    assert.match(md, /100,000 entries · 64 MB/);
  });

  it('says "1 entry", "1 download", "1 error"', () => {
    const s = withReads(1, 0);
    const md = statusTooltip(inputs({ snapshot: { ...s, totals: { downloads: 1, downloadedBytes: 2048, errors: 1 } }, sizes: { memory: { entries: 1, bytes: 10 }, disk: { entries: 2, bytes: 20 } } }));
    assert.match(md, /\| Memory \| 1 entry · 10 B \|/);
    assert.match(md, /\| Disk \| 2 entries · 20 B \|/);
    assert.match(md, /1 download \(2 KB\), 1 error\./);
  });

  it('shows sizes as pending until the first answer, and marks an expired offline catalog', () => {
    const md = statusTooltip(inputs({ sources: [{ id: 'acme', name: '', state: 'offline', templates: 5, expired: true }] }));
    assert.match(md, /\| Memory \| … \|/);
    assert.match(md, /\| acme \| offline, expired \| 5 \| never \|/);
  });

  it('escapes catalog names: no links, emphasis, HTML or broken table cells', () => {
    const md = statusTooltip(inputs({ sources: [{ id: 'x', name: '[click](command:evil) *bold* <img src=x> a|b\nc', state: 'fresh', templates: 1, expired: false }] }));
    const row = md.split('\n').find((l) => l.includes('click'))!;
    assert.equal(row, '| \\[click\\](command:evil) \\*bold\\* \\<img src=x\\> a\\|b c | fresh | 1 | never |');
    assert.equal(row.split(/(?<!\\)\|/).length, 6, 'still four cells');
  });
});

describe('metricsDocument', () => {
  it('is Markdown with the tables and the raw snapshot, without the click hint', () => {
    const doc = metricsDocument(inputs());
    assert.match(doc, /^# Template Marketplace Metrics\n/);
    assert.match(doc, /Snapshot taken 1970-01-01T00:00:01\.000Z/);
    assert.equal(doc.includes('Click to open'), false);
    const json = /```json\n([\s\S]*)\n```/.exec(doc)![1]!;
    assert.equal(JSON.parse(json).tiers.memory.hits, 94);
  });
});

describe('small formatters', () => {
  it('formats durations and ages (bytes: views/format.ts, shared with the trees)', () => {
    assert.equal(formatMs(0.123), '0.12 ms');
    assert.equal(formatMs(12.34), '12.3 ms');
    assert.equal(formatMs(1234), '1234 ms');
    assert.equal(formatMs(12_345), '12.3 s');
    assert.equal(formatAge(-5), 'just now');
    assert.equal(formatAge(42_000), '42 s ago');
    assert.equal(formatAge(3 * 60_000), '3 min ago');
    assert.equal(formatAge(5 * 3_600_000), '5 h ago');
    assert.equal(formatAge(72 * 3_600_000), '3 d ago');
    assert.equal(escapeMarkdown('a_b'), 'a\\_b');
  });
});
