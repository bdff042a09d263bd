import * as vscode from 'vscode';
import { Commands, type CommandId } from '../constants';
import { l10n } from '../l10n';
import { describeError } from '../log';
import type { Services } from '../services';
import type { ActionId } from '../../protocol/dashboard';

/** The allow-listed dashboard actions that are commands of the extension. */
const ACTION_COMMANDS: Record<Exclude<ActionId, 'copySnapshot'>, CommandId> = {
  warmUp: Commands.warmUp,
  clearCache: Commands.clearCache,
  refresh: Commands.refresh,
};

/**
 * Runs a dashboard action: the extension's own command when it is registered (so the dashboard,
 * the palette and the view behave the same), otherwise a minimal built-in equivalent. Copy is done
 * here. Clearing the cache always asks first, in a modal dialog.
 */
export async function runAction(action: ActionId, services: Services, snapshotJson: () => Promise<string>): Promise<void> {
  if (action === 'copySnapshot') {
    await vscode.env.clipboard.writeText(await snapshotJson());
    vscode.window.setStatusBarMessage(l10n.t('Template Marketplace: dashboard snapshot copied as JSON'), 3_000);
    return;
  }
  const id = ACTION_COMMANDS[action];
  if ((await vscode.commands.getCommands(true)).includes(id)) {
    await vscode.commands.executeCommand(id);
    return;
  }
  switch (action) {
    case 'warmUp':
      return warmUp(services);
    case 'clearCache':
      return clearCache(services);
    case 'refresh':
      await (await services.host.get()).refresh({ force: true });
      return;
  }
}

/** How many of the most popular templates Warm Up downloads. */
export const WARM_UP_COUNT = 20;

async function warmUp(services: Services): Promise<void> {
  const client = await services.host.get();
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: l10n.t('Warming up the template cache'), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const result = await client.prefetchPopular(WARM_UP_COUNT, {
          signal: abort.signal,
          onProgress: (e) => {
            if (e.type === 'done' || e.type === 'failed') progress.report({ increment: 100 / e.totals.total, message: `${e.totals.done + e.totals.failed}/${e.totals.total} ${e.ref}` });
          },
        });
        if (result.totals.failed > 0) services.log.warn(`Warm up: ${result.totals.failed} of ${result.totals.total} failed`);
      } finally {
        cancel.dispose();
      }
    },
  );
}

async function clearCache(services: Services): Promise<void> {
  const clear = l10n.t('Clear Cache');
  const picked = await vscode.window.showWarningMessage(
    l10n.t('Clear the template cache?'),
    { modal: true, detail: l10n.t('Downloaded templates are removed from memory and disk and will be downloaded again when needed. The record of accepted catalog versions is kept.') },
    clear,
  );
  if (picked !== clear) return;
  try {
    await (await services.host.get()).clear();
  } catch (err) {
    services.log.error(`Clear cache: ${describeError(err)}`);
    throw err;
  }
}
