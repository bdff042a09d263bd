import { join } from 'node:path';
import * as vscode from 'vscode';
import { l10n } from '../l10n';
import type { UpdateEdits } from './engine';
import { isText } from './summary';
import type { UpdateUndoSaver } from './undoSaver';

/**
 * Writes an update as ONE workspace edit, so that a single Undo takes it all back:
 * - an existing text file that stays text is replaced through its document (then saved);
 * - a new file is created with its bytes; undoing deletes it;
 * - an existing file that is or becomes binary is created over the old one. VS Code undoes that
 *   create by deleting the file (and cannot undo a delete + create of one path either: 1.139 replays
 *   the inverse file operations in their original order), so `saver` writes the old bytes back
 *   after such an Undo;
 * - a removed file is deleted (VS Code keeps its bytes for Undo);
 * - the record is replaced like the files, in the same edit.
 * Undo reverts the text edits in their documents; `saver` then saves them, so that the folder on
 * disk, record included, is as before the update (update/undoSaver.ts).
 * Refuses, writing nothing, when a file to change has unsaved edits: they would be silently overwritten.
 */
export async function applyUpdateEdits(dir: string, edits: UpdateEdits, label: string, saver: UpdateUndoSaver): Promise<vscode.Uri[]> {
  const edit = new vscode.WorkspaceEdit();
  const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: false, label };
  const replaced = new Map<string, { doc: vscode.TextDocument; before: string }>();
  const overwritten = new Map<string, Uint8Array>();
  const touched: vscode.Uri[] = [];
  const decoder = new TextDecoder();
  for (const f of [...edits.files, edits.record]) {
    const uri = vscode.Uri.file(join(dir, ...f.path.split('/')));
    touched.push(uri);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) throw new UnsavedChangesError(f.path);
    if (f.bytes === null) {
      edit.deleteFile(uri, { ignoreIfNotExists: true }, metadata);
      continue;
    }
    const current = await vscode.workspace.fs.readFile(uri).then(
      (bytes) => bytes,
      () => undefined,
    );
    if (current === undefined) {
      edit.createFile(uri, { overwrite: true, contents: f.bytes }, metadata);
    } else if (isText(current) && isText(f.bytes)) {
      const doc = open ?? (await vscode.workspace.openTextDocument(uri));
      const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
      edit.replace(uri, whole, decoder.decode(f.bytes), metadata);
      replaced.set(uri.toString(), { doc, before: doc.getText() });
    } else {
      edit.createFile(uri, { overwrite: true, contents: f.bytes }, metadata);
      overwritten.set(uri.toString(), current);
    }
  }
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(l10n.t('VS Code refused the update edit; nothing was changed.'));
  for (const { doc } of replaced.values()) if (doc.isDirty) await doc.save();
  saver.remember(new Map([...replaced].map(([uri, { doc, before }]) => [uri, { before, after: doc.getText() }])), overwritten);
  return touched;
}

export class UnsavedChangesError extends Error {
  readonly code = 'E_UNSAVED';
  constructor(readonly path: string) {
    super(l10n.t('{0} has unsaved changes: save or revert it, then update again. Nothing was changed.', path));
  }
}
