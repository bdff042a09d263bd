import * as vscode from 'vscode';
import { l10n } from '../l10n';
import { InputFlowAction, isItem, type MultiStepInput } from './quickInput';

/**
 * Where an install writes: a workspace folder on the local file system, or one the user browses to.
 * The engine writes through Node's fs, so a folder of another scheme (a virtual workspace) is never
 * offered and its fsPath never used.
 */

export function localWorkspaceFolders(): readonly vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}

/** The folder to use without asking: the single workspace folder, when there is exactly one and it is local. */
export function implicitTargetFolder(): string | undefined {
  const all = vscode.workspace.workspaceFolders ?? [];
  return all.length === 1 && all[0]!.uri.scheme === 'file' ? all[0]!.uri.fsPath : undefined;
}

interface FolderItem extends vscode.QuickPickItem {
  path?: string;
  browse?: true;
}

/** Asks for the target folder as a step of a multi-step input: the workspace's local folders, or "Browse...". */
export async function pickTargetFolder(
  input: MultiStepInput,
  p: { title: string; step?: number; totalSteps?: number; current?: string },
): Promise<string> {
  const folders = localWorkspaceFolders();
  const items: FolderItem[] = folders.map((f) => ({ label: f.name, description: f.uri.fsPath, path: f.uri.fsPath }));
  items.push({ label: l10n.t('Browse...'), description: l10n.t('Choose another folder'), browse: true });
  for (;;) {
    const picked = await input.showQuickPick<FolderItem>({
      title: p.title,
      step: p.step,
      totalSteps: p.totalSteps,
      placeholder: l10n.t('Folder to install into'),
      items,
      activeItem: items.find((i) => i.path !== undefined && i.path === p.current),
      ignoreFocusOut: true,
    });
    if (!isItem(picked)) throw InputFlowAction.cancel;
    if (picked.path) return picked.path;
    const chosen = await browseForFolder(folders[0]?.uri);
    if (chosen) return chosen;
    // Dialog dismissed: ask again.
  }
}

/** The open-folder dialog; only a local (file:) folder is accepted. */
export async function browseForFolder(defaultUri?: vscode.Uri): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: l10n.t('Install Here'),
    title: l10n.t('Folder to install into'),
    ...(defaultUri ? { defaultUri } : {}),
  });
  const uri = picked?.[0];
  if (!uri) return undefined;
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(l10n.t('Templates can only be installed into a folder on the local file system.'));
    return undefined;
  }
  return uri.fsPath;
}
