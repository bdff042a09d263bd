import * as vscode from 'vscode';
import { l10n } from '../l10n';

/** One applied update: the text files it edited, with their text before and after. */
interface AppliedUpdate {
  texts: Map<string, { before: string; after: string }>;
  /** Binary files the update created over old ones: their old bytes, by URI string. */
  overwritten: Map<string, Uint8Array>;
}

/** How long to wait for VS Code to finish undoing an update's file operations (it deletes an overwritten binary file). */
const FILE_UNDO_WAIT_MS = 5_000;

/** Updates remembered for Undo and Redo (older ones are as undoable, but no longer saved for the user). */
const REMEMBERED = 20;

/**
 * Keeps Undo and Redo of an update consistent on disk. An update is one workspace edit: its file
 * creations and deletions are undone on disk at once, but its text edits only in the editors'
 * documents, which then stay unsaved, leaving the record and the files on disk half undone. Once an
 * Undo (or Redo) has brought every document an update edited back to its text before (or after)
 * the update, this saves them: the folder on disk is then exactly as it was before (or after) the
 * update. If the user has changed one of them since, nothing is saved for them: they decide.
 */
export class UpdateUndoSaver implements vscode.Disposable {
  readonly #updates: AppliedUpdate[] = [];
  readonly #subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.#subscription = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.reason === vscode.TextDocumentChangeReason.Undo) void this.#settle(e.document, 'before');
      else if (e.reason === vscode.TextDocumentChangeReason.Redo) void this.#settle(e.document, 'after');
    });
  }

  /**
   * Remembers an update just applied: the text of each document it edited (by URI string), before
   * and after, and the old bytes of the binary files it created over existing ones.
   */
  remember(texts: Map<string, { before: string; after: string }>, overwritten: Map<string, Uint8Array>): void {
    if (texts.size === 0) return;
    this.#updates.push({ texts, overwritten });
    if (this.#updates.length > REMEMBERED) this.#updates.shift();
  }

  /** Once every document of an update is at `state` (in whatever order the Undo changed them), saves them. */
  async #settle(doc: vscode.TextDocument, state: 'before' | 'after'): Promise<void> {
    const key = doc.uri.toString();
    const update = [...this.#updates].reverse().find((u) => u.texts.get(key)?.[state] === doc.getText());
    if (!update) return;
    const docs = [...update.texts].map(([uri, text]) => ({ doc: vscode.workspace.textDocuments.find((t) => t.uri.toString() === uri), text: text[state] }));
    if (!docs.every((d) => d.doc === undefined || d.doc.getText() === d.text)) return; // not all there yet
    for (const { doc: d } of docs) {
      if (!d?.isDirty) continue;
      const saved = await d.save().then(
        (ok) => ok,
        () => false,
      );
      if (!saved) this.log.warn(`Could not save ${d.uri.fsPath} after ${state === 'before' ? 'undoing' : 'redoing'} an update`);
    }
    if (state === 'before') await this.#restoreOverwritten(update);
    this.log.info(`${state === 'before' ? 'Undid' : 'Redid'} an update: ${docs.length} document(s) saved as they were ${state} it`);
    vscode.window.setStatusBarMessage(
      state === 'before' ? l10n.t('$(discard) Update undone: its files and the record are as before') : l10n.t('$(redo) Update redone: its files and the record are updated again'),
      5000,
    );
  }

  /**
   * VS Code undoes the create of an overwritten binary file by deleting it, right after the text
   * edits: wait for that, then write the old bytes back (Redo creates the new ones over them again).
   */
  async #restoreOverwritten(update: AppliedUpdate): Promise<void> {
    for (const [key, bytes] of update.overwritten) {
      const uri = vscode.Uri.parse(key);
      const exists = () => vscode.workspace.fs.stat(uri).then(
        () => true,
        () => false,
      );
      for (let waited = 0; waited < FILE_UNDO_WAIT_MS && (await exists()); waited += 100) await new Promise((r) => setTimeout(r, 100));
      try {
        await vscode.workspace.fs.writeFile(uri, bytes);
      } catch (err) {
        this.log.warn(`Could not restore ${uri.fsPath} after undoing an update: ${String(err)}`);
      }
    }
  }

  dispose(): void {
    this.#subscription.dispose();
    this.#updates.length = 0;
  }
}
