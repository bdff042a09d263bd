import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFormatter } from '../../src/webview/dashboard/format';

describe('dashboard formatting', () => {
  const f = createFormatter('en-US');

  it('percentages', () => {
    assert.equal(f.percent(0), '0%');
    assert.equal(f.percent(1), '100%');
    assert.equal(f.percent(0.9234), '92.3%');
    assert.equal(f.percent(1.5), '100%', 'clamped');
    assert.equal(f.percent(Number.NaN), '0%', 'never "NaN%"');
  });

  it('counts, rates, megabytes per second and byte rates', () => {
    assert.equal(f.count(12345.6), '12,346');
    assert.equal(f.rate(52371.2), '52,371');
    assert.equal(f.rate(12.34), '12.3');
    assert.equal(f.rate(0.5), '0.5');
    assert.equal(f.rate(-3), '0');
    assert.equal(f.megabytesPerSec(14_000_000), '14');
    assert.equal(f.megabytesPerSec(6_020), '0.00602');
    assert.equal(f.bytesPerSec(0), '0 B/s');
    assert.equal(f.bytesPerSec(512), '512 B/s');
    assert.equal(f.bytesPerSec(1_380), '1.38 KB/s');
    assert.equal(f.bytesPerSec(999_999), '1 MB/s', 'never "1,000 KB/s"');
    assert.equal(f.bytesPerSec(14_000_000), '14 MB/s');
    assert.equal(f.bytesPerSec(2.5e12), '2,500 GB/s');
    assert.equal(f.bytesPerSec(Number.NaN), '0 B/s');
  });

  it('bytes in binary units', () => {
    assert.equal(f.bytes(512), '512 B');
    assert.equal(f.bytes(1536), '1.5 KiB');
    assert.equal(f.bytes(64 * 1024 * 1024), '64.0 MiB');
    assert.equal(f.bytes(256 * 1024 * 1024), '256 MiB');
  });

  it('durations from microseconds to seconds', () => {
    assert.equal(f.duration(0.0002), '0.2 µs');
    assert.equal(f.duration(0.8), '800 µs');
    assert.equal(f.duration(4.5), '4.50 ms');
    assert.equal(f.duration(15.66), '15.7 ms');
    assert.equal(f.duration(250), '250 ms');
    assert.equal(f.duration(1234), '1.23 s');
  });

  it('speed-ups and ages', () => {
    assert.equal(f.ratio(174.2), '174×');
    assert.equal(f.ratio(10.56), '10.6×');
    assert.equal(f.ratio(1.853), '1.85×');
    assert.equal(f.age(10_000), 'just now');
    assert.equal(f.age(3 * 60_000), '3 min ago');
    assert.equal(f.age(2 * 3600_000), '2 h ago');
    assert.equal(f.age(4 * 86400_000), '4 days ago');
  });

  it('follows the locale, and survives an invalid one', () => {
    const de = createFormatter('de');
    assert.equal(de.count(12345), '12.345');
    assert.match(de.percent(0.5), /^50,0\s%$/, 'German: decimal comma, (no-break) space before %');
    const broken = createFormatter('not a locale!!');
    assert.equal(typeof broken.count(1), 'string');
    assert.equal(typeof broken.time(0), 'string');
  });
});
