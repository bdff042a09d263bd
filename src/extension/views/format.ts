import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import { l10n } from '../l10n';
import { cleanText } from './text';

/** Pure number, size, date and age formatting for the tree, tooltips and the preview. */

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(locale, options);
  } catch {
    return new Intl.NumberFormat('en', options);
  }
}

/** `48,210` (the full number, grouped for the locale). */
export function formatCount(n: number, locale = 'en'): string {
  if (!Number.isFinite(n)) return '0';
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** `48K`, `1.2M`: for tight places (quick-pick descriptions). */
export function formatCompactCount(n: number, locale = 'en'): string {
  if (!Number.isFinite(n)) return '0';
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** `512 B`, `1.9 KB`, `14 KB`, `3.2 MB` (binary units, as VS Code shows file sizes). */
export function formatBytes(bytes: number, locale = 'en'): string {
  if (!Number.isFinite(bytes) || bytes < 0) return l10n.t('{0} B', 0);
  if (bytes < 1024) return l10n.t('{0} B', Math.round(bytes));
  const units = [
    (v: string) => l10n.t('{0} KB', v),
    (v: string) => l10n.t('{0} MB', v),
    (v: string) => l10n.t('{0} GB', v),
  ];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 ? 1 : 0;
  return units[unit]!(numberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value));
}

/** A catalog date (ISO 8601) as a localized day (`Nov 1, 2026`, in UTC); raw but clean text if unparsable. */
export function formatDate(iso: string, locale = 'en'): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return cleanText(iso, 40);
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeZone: 'UTC' };
  try {
    return new Intl.DateTimeFormat(locale, options).format(at);
  } catch {
    return new Intl.DateTimeFormat('en', options).format(at);
  }
}

/** How long ago `then` was: `just now`, `5 min ago`, `3 h ago`, `4 d ago`. A future time counts as now. */
export function formatAgo(then: number, now: number): string {
  const seconds = Math.max(0, (now - then) / 1000);
  if (seconds < 60) return l10n.t('just now');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return l10n.t('{0} min ago', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return l10n.t('{0} h ago', hours);
  return l10n.t('{0} d ago', Math.floor(hours / 24));
}

/** `80fff1d9558ef39d…`: enough of a publisher key id to compare by eye. */
export function shortKey(keyid: string): string {
  const clean = cleanText(keyid, 200);
  return clean.length > 16 ? `${clean.slice(0, 16)}…` : clean;
}
