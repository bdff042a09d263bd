import * as vscode from 'vscode';
import { Commands } from '../constants';
import { l10n } from '../l10n';
import type { Services } from '../services';
import { errorMessage } from './errorMessages';

/**
 * One error notification with the actions that can fix it. The engine's English message stays in
 * the log; the user sees a localized sentence chosen by the error's code. Cancellation shows nothing.
 */
export async function showError(err: unknown, services: Pick<Services, 'log'>, retry?: () => unknown): Promise<void> {
  if ((err as { code?: unknown })?.code === 'E_ABORTED') return;
  const { message, actions, setting } = errorMessage(err);
  const labels = {
    retry: l10n.t('Retry'),
    settings: l10n.t('Open Settings'),
    log: l10n.t('Show Log'),
    token: l10n.t('Set Token...'),
  };
  const buttons = actions.filter((a) => a !== 'retry' || retry).map((a) => labels[a]);
  const picked = await vscode.window.showErrorMessage(message, ...buttons);
  if (picked === labels.retry) await retry?.();
  else if (picked === labels.settings) await vscode.commands.executeCommand(Commands.openSettings, setting);
  else if (picked === labels.token) await vscode.commands.executeCommand(Commands.setToken);
  else if (picked === labels.log) services.log.show(true);
}
