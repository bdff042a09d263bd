import type * as _vscode from 'vscode'; // type-only, erased at build: lets the l10n extractor see this pure module's l10n.t calls
import { l10n } from '../l10n';
import { oneLine } from '../ui/errorMessages';

/** Pure texts of the batch commands: progress lines, end-of-batch summaries, which file to open. */

/** "3/20 samples/readme": items finished of all, and the one just started or finished. */
export function batchProgressMessage(finished: number, total: number, ref: string): string {
  return l10n.t('{0}/{1} {2}', finished, total, ref);
}

/** How much one finished item advances a progress notification (VS Code counts to 100). */
export function progressIncrement(total: number): number {
  return total > 0 ? 100 / total : 100;
}

/** "18 installed, 2 failed" (+ ", 1 skipped"); the parts that are zero are left out, except installed. */
export function installSummary(counts: { installed: number; failed: number; skipped: number }): string {
  const parts = [l10n.t('{0} installed', counts.installed)];
  if (counts.failed > 0) parts.push(l10n.t('{0} failed', counts.failed));
  if (counts.skipped > 0) parts.push(l10n.t('{0} skipped', counts.skipped));
  return parts.join(', ');
}

/** How many failures a notification names before it says "and N more" (the log has all of them). */
export const MAX_NAMED_FAILURES = 5;

/**
 * The verification summary for a notification: every failure by ref and reason, up to
 * MAX_NAMED_FAILURES, then "and N more (see the log)". Undefined when nothing failed.
 */
export function verifyFailureSummary(outcomes: readonly { ref: string; ok: boolean; message?: string }[]): string | undefined {
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) return undefined;
  const named = failed.slice(0, MAX_NAMED_FAILURES).map((o) => l10n.t('{0} ({1})', o.ref, shorten(o.message ?? '', 120)));
  const head =
    outcomes.length === 1
      ? l10n.t('The template failed verification: {0}', named.join('; '))
      : failed.length === 1
        ? l10n.t('1 of {0} templates failed verification: {1}', outcomes.length, named.join('; '))
        : l10n.t('{0} of {1} templates failed verification: {2}', failed.length, outcomes.length, named.join('; '));
  const rest = failed.length - named.length;
  return rest > 0 ? l10n.t('{0}; and {1} more (see the log)', head, rest) : head;
}

export function verifySuccessMessage(count: number, cached: number): string {
  if (count === 1) return l10n.t('$(verified) 1 template verified');
  return cached > 0 ? l10n.t('$(verified) {0} templates verified ({1} from the cache)', count, cached) : l10n.t('$(verified) {0} templates verified', count);
}

/**
 * The file to open after an install: a README at the top of the template's folder, else the first
 * file written in the template's own order. Paths are relative to the install target, "/"-separated.
 */
export function pickMainFile(order: readonly string[], written: readonly string[], folder: string): string | undefined {
  const done = new Set(written);
  const candidates = order.filter((p) => done.has(p));
  const top = folder ? `${folder}/` : '';
  const readme = candidates.find((p) => p.startsWith(top) && !p.slice(top.length).includes('/') && /^readme(\.[a-z0-9]+)?$/i.test(p.slice(top.length)));
  return readme ?? candidates[0];
}

function shorten(text: string, max: number): string {
  const clean = oneLine(text);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
