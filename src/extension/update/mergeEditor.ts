import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { FileConflict } from '../../core';
import { loadEngine } from '../client/loadEngine';
import { l10n } from '../l10n';
import type { Services } from '../services';

/** How long VS Code may take to show the merge editor before we call opening it a failure. */
const OPEN_TIMEOUT_MS = 15_000;

export interface MergeLabels {
  /** The template's display name and versions, for the input titles. */
  name: string;
  fromVersion: string;
  toVersion: string;
  /** Conflict marker labels (the proposal's), for a merge the engine did not pre-compute. */
  markers?: { ours?: string; base?: string; theirs?: string };
}

/**
 * Opens VS Code's merge editor on one conflicting file, the way the git extension does (the
 * internal `_open.mergeEditor` command): base = the installed version's rendering, input 1
 * ("Yours") = the file in the workspace, input 2 ("Template x.y") = the new rendering, both
 * read-only documents from memory; the result is an in-memory file (update/mergeFs.ts) pre-filled
 * with the engine's merge (conflict markers included, which the merge editor turns into unhandled
 * conflicts). Nothing in the workspace, nor anywhere on disk, is written here.
 *
 * Resolves once the user closes the editor with the result file's text (`text`) and the merge it
 * started from (`initial`, with markers): Complete Merge saves the result and closes; closing with
 * "Don't Save" leaves our text, markers and all, which the caller treats as not resolved. Regions
 * completed "with conflicts" hold the base text: the caller finds them (update/regions.ts).
 */
export async function mergeInEditor(services: Services, dir: string, conflict: FileConflict, labels: MergeLabels): Promise<{ initial: string; text: string }> {
  const decoder = new TextDecoder();
  const name = basename(conflict.path);
  const created: vscode.Uri[] = [];
  const disposeLater: vscode.Disposable[] = [];
  const initial = initialResult(conflict, labels);
  const output = services.merges.create(conflict.path, initial);
  try {
    const base = services.documents.add('base', name, decoder.decode(conflict.base ?? new Uint8Array()));
    const theirs = services.documents.add('theirs', name, decoder.decode(conflict.theirs ?? new Uint8Array()));
    created.push(base, theirs);
    const yours = vscode.Uri.file(join(dir, ...conflict.path.split('/')));

    const closed = waitForClose(output);
    // Where to go on from, while the merge editor is open (its own button belongs to the git extension).
    const hint = vscode.window.setStatusBarMessage(l10n.t('$(git-merge) Resolve {0}, then $(check) Complete Merge to continue the update', conflict.path));
    disposeLater.push(hint);
    await vscode.commands.executeCommand('_open.mergeEditor', {
      base,
      input1: { uri: yours, title: l10n.t('Yours'), description: conflict.path, detail: l10n.t('in the workspace') },
      input2: { uri: theirs, title: l10n.t('Template {0}', labels.toVersion), description: labels.name, detail: l10n.t('new version') },
      output,
    });
    closed.sync();
    await closed.opened;
    await closed.done;
    return { initial: decoder.decode(initial), text: decoder.decode(await vscode.workspace.fs.readFile(output)) };
  } finally {
    for (const d of disposeLater) d.dispose();
    services.documents.remove(created);
    services.merges.forget(output);
  }
}

/**
 * What the result starts as: the engine's merge with markers, or, without a base (the installed
 * version could not be fetched), the whole file as one conflict, so that the merge editor shows it
 * as unhandled rather than silently taking "yours".
 */
function initialResult(conflict: FileConflict, labels: MergeLabels): Uint8Array {
  if (conflict.merged) return conflict.merged;
  if (conflict.ours && conflict.theirs) {
    const decoder = new TextDecoder();
    const merged = loadEngine().merge3('', decoder.decode(conflict.ours), decoder.decode(conflict.theirs), labels.markers ? { labels: labels.markers } : {});
    return new TextEncoder().encode(merged.text);
  }
  return conflict.ours ?? new Uint8Array();
}

/** A merge tab whose result is `output`: `opened` once it shows, `done` once it closes. */
function waitForClose(output: vscode.Uri): { opened: Promise<void>; done: Promise<void>; sync(): void } {
  const key = output.toString();
  const isOurs = (tab: vscode.Tab) => mergeResultOf(tab)?.toString() === key;
  const disposables: vscode.Disposable[] = [];
  let isOpen = false;
  let resolveOpened!: () => void;
  let rejectOpened!: (err: Error) => void;
  let resolveDone!: () => void;
  const opened = new Promise<void>((resolve, reject) => ((resolveOpened = resolve), (rejectOpened = reject)));
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const timer = setTimeout(() => rejectOpened(new Error(l10n.t('The merge editor did not open.'))), OPEN_TIMEOUT_MS);
  const finish = () => {
    clearTimeout(timer);
    for (const d of disposables.splice(0)) d.dispose();
    resolveDone();
  };
  const markOpen = () => {
    isOpen = true;
    clearTimeout(timer);
    resolveOpened();
  };
  disposables.push(
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      if (!isOpen && e.opened.concat(e.changed).some(isOurs)) markOpen();
      if (isOpen && e.closed.some(isOurs) && !vscode.window.tabGroups.all.some((g) => g.tabs.some(isOurs))) finish();
    }),
  );
  void opened.catch(() => finish());
  const sync = () => {
    if (!isOpen && vscode.window.tabGroups.all.some((g) => g.tabs.some(isOurs))) markOpen();
  };
  return { opened, done, sync };
}

/**
 * The result file of a merge editor tab. Its input class (`TabInputTextMerge`) is still a proposed
 * API, missing from the stable typings though VS Code creates it for every extension: recognise it
 * by its shape (base, input1, input2, result).
 */
export function mergeResultOf(tab: vscode.Tab): vscode.Uri | undefined {
  const input = tab.input as { base?: unknown; input1?: unknown; input2?: unknown; result?: unknown } | undefined;
  if (!input || typeof input !== 'object') return undefined;
  const uris = [input.base, input.input1, input.input2, input.result];
  return uris.every((u) => u instanceof vscode.Uri) ? (input.result as vscode.Uri) : undefined;
}
