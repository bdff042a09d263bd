import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import { l10n } from '../l10n';

export type ErrorAction = 'retry' | 'settings' | 'log' | 'token';

export interface ErrorPresentation {
  message: string;
  actions: ErrorAction[];
  /** The setting "Open Settings" goes to; the extension's settings when absent. */
  setting?: string;
}

/** Pure: an engine error (by its `code`) → a short localized sentence and the actions that help. */
export function errorMessage(err: unknown): ErrorPresentation {
  const code = (err as { code?: unknown })?.code;
  const detail = oneLine(err instanceof Error ? err.message : String(err));
  const viaProxy = /\bproxy\b/i.test(detail);
  switch (code) {
    case 'E_NETWORK':
      if (viaProxy) return { message: l10n.t('Could not reach the marketplace through the proxy: {0}', detail), actions: ['retry', 'settings', 'log'], setting: 'http.proxy' };
      return { message: l10n.t('Could not reach the marketplace: {0}', detail), actions: ['retry', 'settings', 'log'] };
    case 'E_TIMEOUT':
      if (viaProxy) return { message: l10n.t('The marketplace did not answer in time through the proxy: {0}', detail), actions: ['retry', 'settings', 'log'], setting: 'http.proxy' };
      return { message: l10n.t('The marketplace did not answer in time: {0}', detail), actions: ['retry', 'settings', 'log'] };
    case 'E_HTTP': {
      const status = (err as { status?: unknown }).status;
      if (status === 407) return { message: l10n.t('The proxy requires credentials: {0}', detail), actions: ['settings', 'log'], setting: 'http.proxy' };
      if (status === 401 || status === 403) {
        return { message: l10n.t('The marketplace refused access (HTTP {0}). If it is private, set its token. {1}', status, detail), actions: ['token', 'log'] };
      }
      return { message: l10n.t('The marketplace answered with an error: {0}', detail), actions: ['retry', 'settings', 'log'] };
    }
    case 'E_SIGNATURE':
      return { message: l10n.t('Refused: a signature does not verify. {0}', detail), actions: ['log'] };
    case 'E_INTEGRITY':
      return { message: l10n.t('Refused: downloaded bytes do not match the catalog. {0}', detail), actions: ['retry', 'log'] };
    case 'E_UNSAFE_PACKAGE':
      return { message: l10n.t('Refused: the package breaks a safety rule. {0}', detail), actions: ['log'] };
    case 'E_ROLLBACK':
      return { message: l10n.t('Refused: the marketplace served an older catalog than one already accepted. {0}', detail), actions: ['log'] };
    case 'E_EXPIRED':
      return { message: l10n.t('The marketplace catalog has expired. {0}', detail), actions: ['retry', 'log'] };
    case 'E_NOT_FOUND':
      return { message: l10n.t('Not found: {0}', detail), actions: ['retry', 'log'] };
    case 'E_TOO_LARGE':
      return { message: l10n.t('Refused: too large. {0}', detail), actions: ['log'] };
    case 'E_CONFLICT':
      return { message: l10n.t('Existing files would be overwritten: {0}', detail), actions: ['log'] };
    case 'E_FORMAT':
      if (detail.startsWith('MarketplaceClient options')) return { message: l10n.t('The settings cannot be used: {0}', detail), actions: ['settings', 'log'] };
      return { message: l10n.t('Invalid template or marketplace data: {0}', detail), actions: ['log'] };
    case 'E_ABORTED':
      return { message: l10n.t('Cancelled.'), actions: [] };
    case 'E_USAGE':
      return { message: l10n.t('Invalid command arguments: {0}', detail), actions: ['log'] };
    default:
      return { message: l10n.t('Template Marketplace: {0}', detail), actions: ['log'] };
  }
}

/** Engine messages can quote marketplace text: keep notifications to one clean line. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}

/** Why nothing could be loaded, as the welcome view explains it (one `viewsWelcome` entry per kind). */
export type LoadFailureKind = 'none' | 'offline' | 'refused' | 'other';

export function loadFailureKind(err: unknown): LoadFailureKind {
  const { code, field } = (err ?? {}) as { code?: unknown; field?: unknown };
  if (code === 'E_FORMAT' && field === 'sources') return 'none';
  if (code === 'E_NETWORK' || code === 'E_TIMEOUT' || code === 'E_HTTP') return 'offline';
  if (code === 'E_SIGNATURE' || code === 'E_ROLLBACK' || code === 'E_EXPIRED' || code === 'E_INTEGRITY' || code === 'E_FORMAT' || code === 'E_TOO_LARGE') return 'refused';
  return 'other';
}
