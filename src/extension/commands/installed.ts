import * as vscode from 'vscode';
import { Commands, Views } from '../constants';
import type { Services } from '../services';
import type { InstalledTreeProvider } from '../views/installed/provider';
import type { TemplatesTreeProvider } from '../views/provider';
import type { CommandTable } from './index';
import { mergeResultOf } from '../update/mergeEditor';
import { updateTemplate } from './updateTemplate';

interface Views_ {
  readonly installed: InstalledTreeProvider;
  readonly templates: TemplatesTreeProvider;
}

/** The Installed Templates view's commands: refresh, show in the Marketplace tree, update. */
export function installedCommands(services: Services, views: Views_): CommandTable {
  return {
    [Commands.refreshInstalled]: () => vscode.window.withProgress({ location: { viewId: Views.installed } }, () => views.installed.reload()),
    [Commands.revealInstalled]: async ({ target }) => {
      const ref = (target as { ref?: unknown } | undefined)?.ref;
      if (typeof ref === 'string') await views.templates.reveal(ref, { focus: false });
    },
    [Commands.updateTemplate]: (args) => updateTemplate(services, views.installed, args, 'one'),
    [Commands.updateAll]: (args) => updateTemplate(services, views.installed, args, 'all'),
    [Commands.completeMerge]: () => completeMerge(),
  };
}

/**
 * The merge editor's title action for our merges: VS Code's own Complete Merge (it asks first when
 * conflicts are left, saves the result and closes the editor; the Update flow then goes on).
 */
async function completeMerge(): Promise<void> {
  try {
    await vscode.commands.executeCommand('mergeEditor.acceptMerge');
  } catch {
    // A VS Code without the command: save the result and close the editor ourselves.
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    const result = tab ? mergeResultOf(tab) : undefined;
    if (!tab || !result) return;
    await vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.toString())?.save();
    await vscode.window.tabGroups.close(tab);
  }
}
