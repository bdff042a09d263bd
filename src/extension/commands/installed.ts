import * as vscode from 'vscode';
import { Commands, Schemes, Views } from '../constants';
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
 * conflicts are left, saves the result and closes the editor), then makes sure the editor is closed,
 * which is what lets the Update flow go on.
 */
async function completeMerge(): Promise<void> {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  const result = tab ? mergeResultOf(tab) : undefined;
  if (!result || result.scheme !== Schemes.merge) return;
  const accept = () => Promise.resolve(vscode.commands.executeCommand<{ successful?: boolean } | undefined>('mergeEditor.acceptMerge'));
  let outcome: { successful?: boolean } | undefined;
  try {
    outcome = await accept();
    // Undefined: the merge editor did not have the focus (a click in its title can leave it elsewhere).
    if (outcome === undefined) {
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      outcome = await accept();
    }
  } catch {
    // A VS Code without the command: save the result ourselves.
    await vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.toString())?.save();
    outcome = { successful: true };
  }
  if (!outcome?.successful) return; // the user chose to stay in the merge editor
  const open = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => mergeResultOf(t)?.toString() === result.toString());
  if (open) await vscode.window.tabGroups.close(open);
}
