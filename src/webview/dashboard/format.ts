/**
 * Pure formatting of the dashboard's numbers, in the user's locale (`vscode.env.language`).
 * No DOM here: the unit tests run it in Node.
 */
import * as l10n from '@vscode/l10n';

export interface Formatter {
  /** 0.923 → "92.3%" (one decimal below 100 %, none at 0 and 100). */
  percent(ratio: number): string;
  /** A count: 12345 → "12,345". */
  count(n: number): string;
  /** A rate: 3 significant digits, grouped: 52371.2 → "52,371", 12.34 → "12.3", 0.5 → "0.5". */
  rate(n: number): string;
  /** Bytes in binary units: 1536 → "1.5 KiB". */
  bytes(n: number): string;
  /** Bytes per second as MB/s (decimal, as network speeds are read), 3 significant digits: 14_000_000 → "14", 8_500 → "0.0085". For the chart's fixed axis. */
  megabytesPerSec(bytesPerSec: number): string;
  /** Bytes per second in the decimal unit that reads best, 3 significant digits: 1_380 → "1.38 KB/s", 14_000_000 → "14 MB/s". */
  bytesPerSec(bytesPerSec: number): string;
  /** Milliseconds, from µs to s: 0.0002 → "0.2 µs", 0.8 → "800 µs", 4.5 → "4.50 ms", 1234 → "1.23 s". */
  duration(ms: number): string;
  /** A speed-up: 174.2 → "174×", 10.56 → "10.6×". */
  ratio(x: number): string;
  /** How long ago, coarse: "just now", "3 min ago", "2 h ago", "4 days ago". */
  age(ms: number): string;
  /** A date and time in the locale. */
  dateTime(epochMs: number): string;
  /** A time of day with seconds, for chart axes and tables. */
  time(epochMs: number): string;
}

export function createFormatter(locale: string | undefined): Formatter {
  const loc = safeLocale(locale);
  const nf = (o: Intl.NumberFormatOptions) => new Intl.NumberFormat(loc, o);
  const pct0 = nf({ style: 'percent', maximumFractionDigits: 0 });
  const pct1 = nf({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const int = nf({ maximumFractionDigits: 0 });
  const d1 = nf({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const d2 = nf({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const sig3 = nf({ maximumSignificantDigits: 3 });
  const dt = new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeStyle: 'short' });
  const tm = new Intl.DateTimeFormat(loc, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const finite = (n: number) => (Number.isFinite(n) ? n : 0);

  return {
    percent(ratio) {
      const r = Math.min(1, Math.max(0, finite(ratio)));
      return r === 0 || r === 1 ? pct0.format(r) : pct1.format(r);
    },
    count: (n) => int.format(finite(n)),
    rate(n) {
      const v = Math.max(0, finite(n));
      return v >= 1000 ? int.format(v) : sig3.format(v);
    },
    bytes(n) {
      const v = Math.max(0, finite(n));
      if (v < 1024) return l10n.t('{0} B', int.format(v));
      const units = [l10n.t('{0} KiB'), l10n.t('{0} MiB'), l10n.t('{0} GiB'), l10n.t('{0} TiB')];
      let x = v / 1024;
      let i = 0;
      while (x >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return units[i]!.replace('{0}', x >= 100 ? int.format(x) : d1.format(x));
    },
    megabytesPerSec(bps) {
      const v = Math.max(0, finite(bps)) / 1_000_000;
      return v >= 1000 ? int.format(v) : sig3.format(v);
    },
    bytesPerSec(bps) {
      const v = Math.max(0, finite(bps));
      const units = [l10n.t('{0} B/s'), l10n.t('{0} KB/s'), l10n.t('{0} MB/s'), l10n.t('{0} GB/s')];
      let x = v;
      let i = 0;
      // 999,999 B/s reads "1 MB/s", not "1,000 KB/s": the unit changes where 3 digits would round to 1,000.
      while (x >= 999.5 && i < units.length - 1) {
        x /= 1000;
        i++;
      }
      return units[i]!.replace('{0}', x >= 1000 ? int.format(x) : sig3.format(x));
    },
    duration(ms) {
      const v = Math.max(0, finite(ms));
      if (v < 0.001) return l10n.t('{0} µs', d1.format(v * 1000));
      if (v < 1) return l10n.t('{0} µs', int.format(v * 1000));
      if (v < 1000) return l10n.t('{0} ms', v < 10 ? d2.format(v) : v < 100 ? d1.format(v) : int.format(v));
      return l10n.t('{0} s', d2.format(v / 1000));
    },
    ratio(x) {
      const v = Math.max(0, finite(x));
      return l10n.t('{0}×', v >= 100 ? int.format(v) : v >= 10 ? d1.format(v) : d2.format(v));
    },
    age(ms) {
      const s = Math.max(0, finite(ms)) / 1000;
      if (s < 45) return l10n.t('just now');
      if (s < 90 * 60) return l10n.t('{0} min ago', int.format(Math.max(1, Math.round(s / 60))));
      if (s < 36 * 3600) return l10n.t('{0} h ago', int.format(Math.round(s / 3600)));
      return l10n.t('{0} days ago', int.format(Math.round(s / 86400)));
    },
    dateTime: (epochMs) => dt.format(new Date(finite(epochMs))),
    time: (epochMs) => tm.format(new Date(finite(epochMs))),
  };
}

/** An invalid or unsupported locale tag must not break the page: fall back to the runtime default. */
function safeLocale(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale]).length > 0 ? locale : undefined;
  } catch {
    return undefined;
  }
}
