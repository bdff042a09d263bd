import * as vscode from 'vscode';
import { EXTENSION_ID } from '../constants';
import { DEFAULT_WARM_UP_COUNT } from '../config/settings';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { Services } from '../services';
import { batchReporter, withCancellableProgress } from '../ui/progress';
import { isConfirmed } from './args';
import type { CommandArgs } from './index';

/** Clear Cache..., Warm Up Cache, Show Log and Open Settings (Show Dashboard is the dashboard panel's). */

/** Empties the memory and disk tiers after a modal confirmation (`{ confirmed: true }` skips it). */
export async function clearCache(services: Services, args: CommandArgs): Promise<{ cleared: boolean }> {
  if (!isConfirmed(args.target)) {
    const clear = l10n.t('Clear Cache');
    const answer = await vscode.window.showWarningMessage(
      l10n.t('Clear the template cache?'),
      { modal: true, detail: l10n.t('Downloaded templates and catalogs are removed from memory and disk and downloaded again when needed. Installed files are not touched.') },
      clear,
    );
    if (answer !== clear) return { cleared: false };
  }
  // Under a lease, like every batch: a settings change meanwhile cannot close the engine under it.
  await services.host.use((client) => client.clear());
  services.verification.clear();
  services.log.info('Cache cleared (memory and disk tiers)');
  vscode.window.setStatusBarMessage(l10n.t('$(trash) Template cache cleared'), 5000);
  return { cleared: true };
}

/**
 * Downloads the most popular templates into the caches under a cancellable progress notification:
 * `prefetchCount` of them, or 10 when that setting is 0 (off); `{ count }` overrides.
 */
export async function warmUp(services: Services, args: CommandArgs): Promise<{ total: number; done: number; failed: number; cancelled: boolean }> {
  const requested = (args.target as { count?: unknown } | undefined)?.count;
  const configured = services.options.settings().prefetchCount;
  const count = typeof requested === 'number' && Number.isInteger(requested) && requested > 0 ? requested : configured > 0 ? configured : DEFAULT_WARM_UP_COUNT;
  const run = await services.host.use((client) =>
    services.busy.run(() =>
      withCancellableProgress(l10n.t('Warming up the template cache'), async (report, signal) => {
        const total = Math.min(count, (await client.search({ limit: 1 })).total);
        const result = await client.prefetchPopular(count, { signal, onProgress: batchReporter(report, total) });
        return { result, aborted: signal.aborted };
      }),
    ),
  );
  const failures = run.result.items.filter((i) => !i.ok && i.error.code !== 'E_ABORTED');
  for (const f of failures) if (!f.ok) services.log.error(`Warm up ${f.ref}: ${describeError(f.error)}`);
  const { total, done } = run.result.totals;
  services.log.info(`Warm up: ${done} of ${total} templates cached in ${Math.round(run.result.elapsedMs)} ms${run.aborted ? ' (cancelled)' : ''}`);
  if (!run.aborted) {
    if (failures.length > 0) {
      const showLog = l10n.t('Show Log');
      void vscode.window
        .showWarningMessage(l10n.t('{0} of {1} templates could not be cached.', failures.length, total), showLog)
        .then((picked) => picked === showLog && services.log.show(true));
    } else {
      vscode.window.setStatusBarMessage(done === 1 ? l10n.t('$(flame) 1 template cached') : l10n.t('$(flame) {0} templates cached', done), 5000);
    }
  }
  return { total, done, failed: failures.length, cancelled: run.aborted };
}

export function showLog(services: Services): void {
  services.log.show();
}

/** The settings editor on our settings, or on one setting (e.g. from a warning: `templateMarketplace.marketplaces`, `http.proxy`). */
export async function openSettings(args: CommandArgs): Promise<void> {
  const setting = typeof args.target === 'string' && /^[A-Za-z][\w.]*$/.test(args.target) ? args.target : `@ext:${EXTENSION_ID}`;
  await vscode.commands.executeCommand('workbench.action.openSettings', setting);
}
