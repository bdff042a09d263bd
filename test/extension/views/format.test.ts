import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAgo, formatBytes, formatCompactCount, formatCount, formatDate, shortKey } from '../../../src/extension/views/format';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('formatBytes', () => {
  it('uses binary units with one decimal below ten', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1989), '1.9 KB');
    assert.equal(formatBytes(14638), '14 KB');
    assert.equal(formatBytes(3.25 * 1024 * 1024), '3.3 MB');
    assert.equal(formatBytes(5 * 1024 ** 4), '5,120 GB');
  });

  it('formats for the locale and survives nonsense', () => {
    assert.equal(formatBytes(1989, 'de'), '1,9 KB');
    assert.equal(formatBytes(-1), '0 B');
    assert.equal(formatBytes(Number.NaN), '0 B');
    assert.equal(formatBytes(2048, 'not a locale!'), '2 KB');
  });
});

describe('counts', () => {
  it('groups full numbers and compacts for tight places', () => {
    assert.equal(formatCount(48210), '48,210');
    assert.equal(formatCount(48210, 'de'), '48.210');
    assert.equal(formatCompactCount(48210), '48.2K');
    assert.equal(formatCompactCount(999), '999');
    assert.equal(formatCount(Number.POSITIVE_INFINITY), '0');
  });
});

describe('formatDate', () => {
  it('shows the catalog day in UTC whatever the local time zone', () => {
    assert.equal(formatDate('2026-11-01T00:00:00Z'), 'Nov 1, 2026');
    assert.equal(formatDate('2026-11-01T23:59:00Z', 'de'), '01.11.2026');
  });

  it('shows unparsable dates as clean text', () => {
    assert.equal(formatDate('soon\u202E!'), 'soon !');
  });
});

describe('formatAgo', () => {
  const now = Date.UTC(2026, 10, 10);
  it('picks the largest sensible unit', () => {
    assert.equal(formatAgo(now - 20_000, now), 'just now');
    assert.equal(formatAgo(now - 5 * MIN, now), '5 min ago');
    assert.equal(formatAgo(now - 3 * HOUR - 10 * MIN, now), '3 h ago');
    assert.equal(formatAgo(now - 47 * HOUR, now), '47 h ago');
    assert.equal(formatAgo(now - 4 * DAY, now), '4 d ago');
  });

  it('treats a future time (clock skew) as now', () => {
    assert.equal(formatAgo(now + HOUR, now), 'just now');
  });
});

describe('shortKey', () => {
  it('keeps the first 16 characters of a key id', () => {
    assert.equal(shortKey('80fff1d9558ef39de8a4d9ce6d3e1d7efeb4324368178c96946c295e03b9a4b4'), '80fff1d9558ef39d…');
    assert.equal(shortKey('short'), 'short');
  });
});
