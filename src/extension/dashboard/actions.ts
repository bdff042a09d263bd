import * as vscode from 'vscode';
import { Commands, type CommandId } from '../constants';
import { l10n } from '../l10n';
import type { ActionId } from '../../protocol/dashboard';

/** The allow-listed dashboard actions that are commands of the extension. */
const ACTION_COMMANDS: Record<Exclude<ActionId, 'copySnapshot'>, CommandId> = {
  warmUp: Commands.warmUp,
  clearCache: Commands.clearCache, // asks in a modal dialog first
  refresh: Commands.refresh,
};

/**
 * Runs a dashboard action: the extension's own command, so that the dashboard, the palette and the
 * views behave the same (progress, confirmation, errors). Copy is done here.
 */
export async function runAction(action: ActionId, snapshotJson: () => Promise<string>): Promise<void> {
  if (action === 'copySnapshot') {
    await vscode.env.clipboard.writeText(await snapshotJson());
    vscode.window.setStatusBarMessage(l10n.t('Template Marketplace: dashboard snapshot copied as JSON'), 3_000);
    return;
  }
  await vscode.commands.executeCommand(ACTION_COMMANDS[action]);
}
